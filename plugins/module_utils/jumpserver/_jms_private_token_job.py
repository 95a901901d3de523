# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""What the jms_private_token module does: the job of _jms_private_token.py for one user or many, each token checked.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

PrivateTokenRun is run by the module frame (_module.py), which hands it the task's options.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec import ExecTarget
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_private_token import run_private_tokens_job
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import FailedMidway, PrivateTokenError
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.plugins.module_utils._results import PLACEHOLDER
from ansible_collections.opsauth.tokens.plugins.module_utils._time import iso_from_epoch, iso_utc, now

# What RV(users) says about each user (nothing secret).
USER_FIELDS = ('changed', 'created', 'existed', 'date_created', 'verified')


def verify(params, token, username):
    """Prove the token works: GET /api/v1/users/profile/ with it, and check whose it is."""
    options = dict(url=params['url'], private_token=token, validate_certs=params['validate_certs'],
                   ca_path=params['ca_path'], timeout=params['timeout'], language=params['language'], retries=1)
    profile = JumpServerClient.from_options(options, methods=('private_token',)).check_token()
    owner = profile.get('username') if isinstance(profile, dict) else None
    if owner != username:
        raise PrivateTokenError('%s accepted the token but says it belongs to %r, not %r' % (params['url'], owner, username))


def describe(data, username, params, check_mode):
    state = params['state']
    if state == 'absent':
        if not data['changed']:
            return '%s has no private token' % username
        return '%s the private token of %s' % ('would delete' if check_mode else 'deleted', username)
    if state == 'rotated':
        return '%s the private token of %s' % ('would rotate' if check_mode else 'rotated', username)
    if data['changed']:
        return '%s a private token for %s' % ('would create' if check_mode else 'created', username)
    return 'returned the existing private token of %s' % username


def user_result(data, username, params, check_mode):
    """What the module says about one user (its token only where the job returned one; in check mode, where one would
    be made, the placeholder: the keys of a real run, docs/results.md)."""
    result = dict(changed=bool(data['changed']), created=bool(data.get('created')), existed=bool(data.get('existed')),
                  verified=False, msg=describe(data, username, params, check_mode))
    if params['state'] == 'absent':
        return result
    if data.get('token'):
        result.update(token=data['token'], date_created=iso_utc(data.get('date_created')))
    elif check_mode and data['changed']:
        result.update(token=PLACEHOLDER, date_created=iso_from_epoch(now()))
    if result.get('token'):
        result['headers'] = {'Authorization': 'Token %s' % result['token']}
    result['reused'] = not result['changed']
    return result


def verify_all(params, results):
    """Check every returned token against url; the users whose check failed, with why (never a token)."""
    failures = []
    for username, result in results.items():
        if not result.get('token'):
            continue
        try:
            verify(params, result['token'], username)
            result['verified'] = True
        except OpsAuthError as exc:
            failures.append('%s: %s' % (username, exc))
    return failures


def combine(results, params, check_mode, pod):
    """The module's result: one user's fields (username), or tokens and users by name (usernames)."""
    changed = any(item['changed'] for item in results.values())
    if params['username'] is not None:
        result = dict(results[params['username']], username=params['username'])
    else:
        tokens = dict((name, item.get('token')) for name, item in results.items())
        users = dict((name, dict((key, item.get(key)) for key in USER_FIELDS)) for name, item in results.items())
        done = sorted(name for name, item in results.items() if item['changed'])
        what = '%s for %s' % ('would change' if check_mode else 'changed', ', '.join(done)) if done else 'nothing to change'
        result = dict(tokens=tokens, users=users, verified=all(item['verified'] for item in results.values()),
                      msg='%d user(s), %s' % (len(results), what))
    result['changed'] = changed
    if pod:
        result['pod'] = pod
    return result


def diff(results, params):
    """Whether each user has a token before and after (never the token); one user's without nesting."""
    present = params['state'] != 'absent'
    before = dict((name, {'username': name, 'has_private_token': item['existed']}) for name, item in results.items())
    after = dict((name, {'username': name, 'has_private_token': present, 'rotated': params['state'] == 'rotated'})
                 for name in results)
    if params['username'] is not None:
        return dict(before=before[params['username']], after=after[params['username']])
    return dict(before=before, after=after)


class PrivateTokenRun:
    """One run of jms_private_token in the module frame (``module``: _module.OpsAuthModule)."""

    def __init__(self, module):
        self.module = module
        self.params = params = module.params
        self.names = [params['username']] if params['username'] is not None else params['usernames']

    def run(self):
        module, params, names, check_mode = self.module, self.params, self.names, self.module.check_mode
        if params['url']:
            module.require_requests()
        target = ExecTarget.from_params(params)
        target.validate()
        rotate = params['state'] == 'rotated'
        data = run_private_tokens_job(target, names, state='present' if rotate else params['state'], rotate=rotate,
                                      check=check_mode, apps_dir=params['apps_dir'], python=params['python'])
        results = dict((name, user_result(data[name], name, params, check_mode)) for name in names)
        pod = target.pod_name if target.runtime == 'kubectl' else None
        failures = verify_all(params, results) if params['url'] else []
        result = combine(results, params, check_mode, pod)
        if module.diff:
            result['diff'] = diff(results, params)
        if failures:
            # The job is done: a created or rotated token replaced the old one, so the change is reported and the new
            # token returned (issue 8, 6b); a token that was there before stays where it was and is not returned.
            for item in results.values():
                if not item['changed']:
                    item.pop('token', None)
            failed = dict(combine(results, params, check_mode, pod), diff=result.get('diff'))
            exc = PrivateTokenError('%s, but the check against %s failed for %s'
                                    % (failed['msg'], params['url'], '; '.join(failures)))
            exc.result = failed
            raise exc
        result['reused'] = not result['changed']
        return result

    def failure(self, exc):
        if isinstance(exc, FailedMidway):
            # Tokens made before the failure exist now: return them (as no_log'd as a success) with the failure.
            done = dict((name, user_result(item, name, self.params, self.module.check_mode))
                        for name, item in exc.results.items())
            return exc.failure(**combine(done, dict(self.params, username=None), self.module.check_mode, None))
        if self.params['username'] is not None:
            return exc.failure(username=self.params['username'])
        return exc.failure(usernames=self.names)
