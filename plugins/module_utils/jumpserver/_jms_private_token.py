# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""JumpServer's permanent private token, made inside the core container with ``manage.py shell``.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

JumpServer has no REST endpoint for private tokens in any version (see the api-notes): the only way is Django's
``manage.py shell`` in the ``jms_core`` container. Each shell boots all of JumpServer (about 7 s), so the whole job
(look up the user, read, create, rotate or delete, read back) is ONE exec, and this file holds the only copy of the
code that runs in there; the module and the role both come through here.

How the input reaches the code: ``manage.py shell -c CODE`` runs CODE, which is the fixed string below; the request
(usernames, state, check mode, a nonce) goes on stdin as one JSON document. Without ``-c`` Django's shell would
execute stdin as code, which is why the code never changes and the usernames are only ever data.

Many users, one boot: the job takes a list of usernames. It looks every user up before it changes anything, so an
unknown name stops the job with all the unknown names and nothing done; a failure while acting (the database going
away) stops it with what was already done for which users, never silently half done. JumpServer v3.10 prints
``ALLOWED_HOSTS: ...`` lines on stdout while it boots: only the nonce-marked result line is parsed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import binascii
import json
import os

from ansible_collections.opsauth.tokens.plugins.module_utils._defaults import DEFAULT_APPS_DIR
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_errors import ExecCommandFailed
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_process import stderr_excerpt
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import FailedMidway, PrivateTokenError, ResultNotFound

# JumpServer's images (v3, v4) keep their virtualenv in /opt/py3; older installs have python3 or python on PATH.
DEFAULT_PYTHONS = ('/opt/py3/bin/python', 'python3', 'python')
RESULT_MARKER = 'OPSAUTH_RESULT='

# Exit codes of LAUNCHER, chosen outside what python, docker (125-127) and kubectl use.
EXIT_NO_MANAGE_PY = 97
EXIT_NO_PYTHON = 98

# The in-container launcher: sh -c LAUNCHER opsauth APPS_DIR CODE PYTHON...
# It finds manage.py and the first interpreter that exists, then execs Django's shell, all in the same exec, because
# a second exec would boot JumpServer a second time. Its inputs are positional parameters, always quoted, never
# spliced into the script; stdin passes through untouched to the Python code.
LAUNCHER = r'''apps_dir=$1
code=$2
shift 2
if [ ! -f "$apps_dir/manage.py" ]; then
  echo "opsauth: $apps_dir/manage.py does not exist: set apps_dir to JumpServer's apps directory" >&2
  exit 97
fi
cd "$apps_dir" || exit 97
for py in "$@"; do
  case $py in
    */*) if [ ! -f "$py" ] || [ ! -x "$py" ]; then continue; fi ;;
    *) if ! command -v "$py" >/dev/null 2>&1; then continue; fi ;;
  esac
  exec "$py" manage.py shell -c "$code"
done
echo "opsauth: no Python interpreter found in the container (tried: $*): set python" >&2
exit 98
'''

# The code Django's shell runs. Fixed: it reads its whole input from stdin as JSON. It prints exactly one line
# "OPSAUTH_RESULT=<json>" carrying the caller's nonce, so that start-up logs, a stray print or a marker-looking line
# elsewhere can never be taken for the result. Python 3.6+ (JumpServer v2.x) compatible.
SHELL_CODE = r'''
import json as _json, sys as _sys
def _opsauth_private_token():
    request = _json.loads(_sys.stdin.read())
    def emit(**result):
        result['nonce'] = request['nonce']
        _sys.stdout.write('\nOPSAUTH_RESULT=' + _json.dumps(result, sort_keys=True) + '\n')
        _sys.stdout.flush()
    try:
        from users.models import User
        from authentication.models import PrivateToken
    except ImportError as exc:
        return emit(ok=False, error='not_jumpserver', detail=str(exc))
    users, missing = [], []
    for name in request['usernames']:
        try:
            users.append(User.objects.get(username=name))
        except User.DoesNotExist:
            missing.append(name)
    if missing:
        return emit(ok=False, error='user_not_found', missing=missing)
    check, state, rotate = bool(request['check']), request['state'], bool(request['rotate'])
    results = {}
    for user in users:
        try:
            token = PrivateToken.objects.filter(user=user).first()
            existed, changed = token is not None, False
            if state == 'absent':
                changed = existed
                if existed and not check:
                    PrivateToken.objects.filter(user=user).delete()
                token = None
            elif rotate or not existed:
                changed = True
                # refresh_private_token() deletes and recreates; create_private_token() is get-or-create.
                if check:
                    token = None
                elif rotate:
                    token = user.refresh_private_token()
                else:
                    token = user.create_private_token()
        except Exception as exc:
            return emit(ok=False, error='failed', username=user.username, detail='%s: %s' % (type(exc).__name__, exc),
                        results=results)
        created = getattr(token, 'created', None)
        results[user.username] = dict(changed=changed, existed=existed, created=changed and state == 'present',
                                      token=token.key if token is not None else None,
                                      date_created=created.isoformat() if hasattr(created, 'isoformat') else created)
    return emit(ok=True, results=results)
_opsauth_private_token()
'''


def new_nonce():
    return binascii.hexlify(os.urandom(16)).decode('ascii')


def interpreters(python=None):
    """The Python interpreters LAUNCHER tries, in order: ``python``, else DEFAULT_PYTHONS."""
    return [python] if python else list(DEFAULT_PYTHONS)


def build_command(apps_dir=None, python=None):
    """The argv run in the container: sh -c LAUNCHER ... (nothing in it depends on the username)."""
    return ['sh', '-c', LAUNCHER, 'opsauth', apps_dir or DEFAULT_APPS_DIR, SHELL_CODE] + interpreters(python)


def build_request(usernames, state='present', rotate=False, check=False, nonce=None):
    """The JSON document written to the shell's stdin."""
    return json.dumps(dict(usernames=list(usernames), state=state, rotate=bool(rotate), check=bool(check),
                           nonce=nonce or new_nonce()))


def parse_result(stdout, nonce):
    """The result dict from the one stdout line that starts with the marker AND carries our nonce.

    Everything else on stdout (JumpServer's start-up banner, warnings, a marker line without the nonce) is ignored;
    stderr is never read for results. Two lines with our nonce mean something is off: refuse rather than guess.
    """
    found = []
    for line in (stdout or '').splitlines():
        if not line.startswith(RESULT_MARKER):
            continue
        try:
            data = json.loads(line[len(RESULT_MARKER):])
        except ValueError:
            continue
        if isinstance(data, dict) and data.get('nonce') == nonce:
            found.append(data)
    if not found:
        raise ResultNotFound('manage.py shell printed no result line')
    if len(found) > 1:
        raise ResultNotFound('manage.py shell printed %d result lines where one was expected; refusing to guess' % len(found))
    return found[0]


def run_private_token_job(target, username, **kwargs):
    """The job for one user: the result dict of run_private_tokens_job for ``username``, with ok=True."""
    return dict(run_private_tokens_job(target, [username], **kwargs)[username], ok=True)


def run_private_tokens_job(target, usernames, state='present', rotate=False, check=False, apps_dir=None, python=None):
    """Do the whole job for every user in ONE exec in ``target`` (an _exec.ExecTarget).

    Returns {username: {changed, existed, created, token, date_created}}. Raises user_not_found (naming every unknown
    user; nothing was done), FailedMidway (with what was done before), PrivateTokenError or an _exec_errors error.
    """
    usernames = list(usernames or [])
    if not usernames or not all(usernames):
        raise PrivateTokenError('every username must be a non-empty string', code='invalid_option')
    if len(set(usernames)) != len(usernames):
        raise PrivateTokenError('usernames lists a user more than once', code='invalid_option')
    if state not in ('present', 'absent'):
        raise PrivateTokenError('state must be present or absent, got %r' % (state,), code='invalid_option')
    if rotate and state != 'present':
        raise PrivateTokenError('rotate=true needs state=present (state=absent deletes the token)', code='invalid_option')
    apps_dir = apps_dir or DEFAULT_APPS_DIR
    if not apps_dir.startswith('/'):
        raise PrivateTokenError('apps_dir must be an absolute path in the container, got %r' % (apps_dir,), code='invalid_option')
    if python and python.startswith('-'):
        raise PrivateTokenError('python must be a path or a command name, got %r' % (python,), code='invalid_option')
    nonce = new_nonce()
    try:
        result = target.run(build_command(apps_dir, python), stdin=build_request(usernames, state, rotate, check, nonce))
    except ExecCommandFailed as exc:
        if exc.rc == EXIT_NO_MANAGE_PY:
            raise PrivateTokenError('%s has no %s/manage.py: set apps_dir to the JumpServer apps directory in the '
                                    'container' % (target.describe(), apps_dir))
        if exc.rc == EXIT_NO_PYTHON:
            raise PrivateTokenError('no Python interpreter found in %s (tried %s): set python to the interpreter '
                                    'JumpServer runs with' % (target.describe(), ', '.join(interpreters(python))))
        raise PrivateTokenError('manage.py shell failed in %s (exit status %s): %s'
                                % (target.describe(), exc.rc, stderr_excerpt(exc.stderr)))
    try:
        data = parse_result(result.stdout, nonce)
    except ResultNotFound as exc:
        raise PrivateTokenError('%s in %s: is it the JumpServer core container? stderr: %s'
                                % (exc, target.describe(), stderr_excerpt(result.stderr)))
    if data.get('ok') and isinstance(data.get('results'), dict) and set(data['results']) == set(usernames):
        return data['results']
    error = data.get('error')
    if error == 'user_not_found':
        missing = data.get('missing') or []
        raise PrivateTokenError('JumpServer has no user named %s; check %s (the login name, not the display name); nothing '
                                'was changed' % (', '.join(json.dumps(name) for name in missing),
                                                 'username' if len(usernames) == 1 else 'usernames'), code='user_not_found')
    if error == 'not_jumpserver':
        raise PrivateTokenError('%s does not look like JumpServer core: %s' % (target.describe(), data.get('detail')))
    if error == 'failed':
        done = data.get('results') or {}
        raise FailedMidway('the private token job stopped at user %s in %s (%s); done before it: %s'
                           % (json.dumps(data.get('username')), target.describe(), data.get('detail'),
                              ', '.join('%s (%s)' % (name, 'changed' if item.get('changed') else 'unchanged')
                                        for name, item in sorted(done.items())) or 'nothing'), done)
    raise PrivateTokenError('the private token job failed in %s: %s' % (target.describe(), error or 'no results'))
