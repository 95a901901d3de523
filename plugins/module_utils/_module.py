# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The frame every module runs in: its options, the run's login handed over, a missing library, success and failure.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

A module declares its option spec (ARGUMENT_SPEC, and ARGUMENT_RULES beside it: the action plugin reads both) and its
run, a class of module_utils that does the module's job; its main() is one line::

    OpsAuthModule(ARGUMENT_SPEC, ARGUMENT_RULES, run_login=True).run(TokenRun)

The frame resolves the options as the action plugin does (_resolve.py), warns about validate_certs=false, builds the
run with itself as ``module`` and calls ``run()``. A success is returned in the one result vocabulary
(_results.succeeded); an OpsAuthError fails the task with ``exc.failure()``, the same keys for every module. What a run
gives the frame, beside ``run()`` (which returns the result of a success or raises an OpsAuthError):

- ``failure(exc)``: the failure's fields, when the run knows more than ``exc.failure()`` (what already changed).
- ``run_login_rejected(exc)``: whether ``exc`` is the server refusing the run's login that the action plugin handed
  over, and the request may be sent again: the action plugin then logs in again once for the run.

What the frame gives a run: ``params``, ``check_mode``, ``diff``, ``warn()``, ``require_requests()`` (where the run
needs the requests library: a run that sends nothing, or sends through curl in a pod, does not) and ``handed_over()``
(where the run would log in: the run's login from the action plugin, or None).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.http._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import ValidatedModule, resolve_module
from ansible_collections.opsauth.tokens.plugins.module_utils._results import succeeded
from ansible_collections.opsauth.tokens.plugins.module_utils._run_login_handover import (
    RUN_LOGIN_REJECTED,
    RunLoginModule,
    handed_over,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.http._tls import warn_insecure


class OpsAuthModule:
    """One task of one module: the AnsibleModule with the task's resolved options, and the edge where a run ends.

    ``run_login``: the module has an action plugin that may hand the run's login over (plugins/action/); its hidden
    arguments are then taken out of the parameters before validation. Any other module refuses them as unknown options.
    """

    def __init__(self, argument_spec, rules=None, run_login=False):
        self.ansible = resolve_module(argument_spec, module_class=RunLoginModule if run_login else ValidatedModule,
                                      supports_check_mode=True, **(rules or {}))
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        self.diff = self.ansible._diff
        self.handed = None  # what handed_over() returned: (login answer, reused), or None
        warn_insecure(self.ansible)

    def warn(self, message):
        self.ansible.warn(message)

    def require_requests(self):
        """Fail the task with Ansible's missing-library message unless the requests library is there."""
        if not HAS_REQUESTS:
            self.ansible.fail_json(msg=missing_required_lib('requests'), error_code='missing_library',
                                   exception=REQUESTS_IMPORT_ERROR)

    @property
    def login_handed_over(self):
        """Whether the action plugin handed the run's login over (it does when the module said it needs a login)."""
        return bool(getattr(self.ansible, 'run_login', None))

    def handed_over(self, returned=False):
        """(login answer, reused) that the action plugin handed over instead of a login, or None: log in yourself.

        Call it where the run would log in, and only there (_run_login.handed_over: with ``{"wanted": true}`` the task
        ends here, answering that a login is needed). ``returned``: the run returns the token it logs in for.
        """
        self.handed = handed_over(self.ansible, returned=returned)
        return self.handed

    def run(self, run_class):
        """Run the module's job and end the task: exit_json with the result, or fail_json with the failure."""
        job = None
        try:
            job = run_class(self)  # a run that cannot start (an option it refuses) raises here
            result = job.run()
        except OpsAuthError as exc:
            self.ansible.fail_json(**self.failure(job, exc))
        self.ansible.exit_json(**succeeded(result))

    def failure(self, job, exc):
        """What the task returns when ``exc`` fails it: always msg and the FAILURE_FIELDS of _errors.py."""
        details = job.failure(exc) if hasattr(job, 'failure') else exc.failure()
        if self.handed and hasattr(job, 'run_login_rejected') and job.run_login_rejected(exc):
            details[RUN_LOGIN_REJECTED] = True
        return details
