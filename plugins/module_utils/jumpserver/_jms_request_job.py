# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""What the jms_request module does: one request (or every page of a list) to the JumpServer API.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

RequestRun is run by the module frame (_module.py), which hands it the task's options and the run's login.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_auth import SAFE_METHODS, PasswordAuth
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import CredentialRejected


def json_body(body):
    if body is None or not isinstance(body, str):
        return body
    try:
        return json.loads(body)
    except ValueError:
        raise OpsAuthError('body must be JSON: a dict, a list, or a string holding JSON')


class RequestRun:
    """One run of jms_request in the module frame (``module``: _module.OpsAuthModule)."""

    def __init__(self, module):
        self.module = module
        self.params = module.params

    def run(self):
        self.module.require_requests()
        # The run's login, handed over by the action plugin (plugins/action/jms_request.py) instead of a login per host.
        run_login = self.module.handed_over()
        # The module logs in again after a 401 only for its own login; the run's is the action plugin's to renew.
        client = JumpServerClient.from_options(self.params, relogin=not run_login)
        if run_login:
            client.adopt_login(run_login[0])
        # reused: no login of this task (a token, key or session given, or the run's login that another task made).
        reused = bool(run_login[1]) if run_login else not isinstance(client.auth, PasswordAuth)
        result = self.send(client)
        result.setdefault('reused', reused)
        return result

    def run_login_rejected(self, exc):
        # The action plugin logs in again once for the run and sends the request again: only when that is safe, as
        # for the module's own login (a method that changes nothing, or a 401 of the authentication, before the view).
        return isinstance(exc, CredentialRejected) and (
            self.params['method'] in SAFE_METHODS or exc.server_code in ('not_authenticated', 'authentication_failed'))

    def send(self, client):
        params, check_mode = self.params, self.module.check_mode
        method, path = params['method'], params['path']
        changed = method not in SAFE_METHODS
        if params['paginate'] and method != 'GET':
            raise OpsAuthError('paginate works with method GET only')
        for cap in ('max_pages', 'max_items'):
            if params[cap] < 1:
                raise OpsAuthError('%s must be 1 or more, got %d' % (cap, params[cap]))
        body = json_body(params['body'])
        if check_mode and isinstance(client.auth, PasswordAuth):
            return dict(changed=changed, msg='would log in and send %s %s (check mode sends no login)' % (method, path))
        # Once per task, before the request: with an unknown org the server would act on the Default org.
        client.check_org()
        if check_mode and changed:
            return dict(changed=True, msg='would send %s %s (check mode sends only GET, HEAD and OPTIONS)' % (method, path))
        if params['paginate']:
            results = client.paginate(path, params['query'], max_pages=params['max_pages'], max_items=params['max_items'])
            return dict(changed=False, status=200, results=results,
                        msg='GET %s returned %d item(s)' % (path, len(results)))
        resp = client.request(method, path, query=params['query'], body=body)
        client.check(resp, expected=params['status_code'], method=method)
        return dict(changed=changed, status=resp.status, json=resp.json,
                    msg='%s %s answered %d' % (method, path, resp.status))
