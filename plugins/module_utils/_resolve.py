# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""One meaning per task: the effective options of a task, computed the same way by a module and its action plugin.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice. Standard library and ansible.module_utils only.

A task's options come from its arguments (module_defaults already merged into them by Ansible), then the environment
the module runs in (the process's environment plus the task's ``environment:`` keyword), then the spec's defaults.
The module reads its own ``os.environ``; the action plugin, on the controller, passes the environment the module will
see (it knows it only when the module runs on the controller). Both call ``resolve()`` (the action plugin) or
``resolve_module()`` (the module), which bind the spec's environment fallbacks to that one mapping, note which option
came from which variable, and then apply two rules, so that an option from the environment never changes what the
task's own options say:

- Endpoints: when the task gives ``url`` or ``fauths_url``, the other one is not taken from the environment. A
  ``DEEPFLOW_FAUTHS_URL`` left in the environment would otherwise receive the password the task gives for its own
  ``url`` (fauths_url wins over url).
- Credentials: when the task gives any option of one way to authenticate (a password login, a token, a private
  token, an access key, a session), the options of the other ways are not taken from the environment. A stale
  ``JMS_TOKEN`` beside a task's password would otherwise fail the task with "two credentials" (or be used instead).

The table of every option's sources, in order, is in docs/security.md ("Where each option comes from").
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.module_utils.basic import AnsibleFallbackNotFound, AnsibleModule, env_fallback
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

# Options that name the server a credential is sent to (DeepFlow's fauths_url wins over url).
ENDPOINTS = ('url', 'fauths_url')
# The ways to authenticate, each with its options (JumpServer; DeepFlow's login has one way). The MFA options belong
# to the password login.
CREDENTIAL_METHODS = (
    ('username', 'email', 'password', 'mfa_code', 'mfa_totp_secret'),
    ('token',),
    ('private_token',),
    ('access_key_id', 'access_key_secret'),
    ('session_id', 'csrf_token'),
)


class Resolved:
    """What resolve() found: ``params`` (every option of the spec), where options came from, what was set aside."""

    def __init__(self, params, from_env, ignored, errors=()):
        self.params = params
        self.from_env = from_env    # {option: the environment variable its value came from}
        self.ignored = ignored      # [(option, variable, why)]: a value the environment had and the rules set aside
        self.errors = list(errors)  # what the module would refuse (unknown options, wrong types, ...)

    def describe_ignored(self):
        return ['%s from the environment is not used: %s' % (variable, why) for _name, variable, why in self.ignored]


def bind_fallbacks(spec, environ, from_env):
    """``spec`` with its env_fallback options reading ``environ`` and noting in ``from_env`` what they took."""
    bound = {}
    for name, option in spec.items():
        fallback = option.get('fallback')
        if fallback and fallback[0] is env_fallback:
            option = dict(option, fallback=(_reader(name, environ, from_env), list(fallback[1])))
        bound[name] = option
    return bound


def _reader(name, environ, from_env):
    def read(*variables, **_kwargs):
        # env_fallback's rule: the first variable that is set.
        for variable in variables:
            if variable in environ:
                from_env[name] = variable
                return environ[variable]
        raise AnsibleFallbackNotFound
    return read


def apply_rules(params, from_env, spec):
    """Set aside the environment's values that the task's own options overrule; returns [(option, variable, why)]."""
    def given(name):
        return params.get(name) is not None and name not in from_env

    ignored = []

    def drop(name, why):
        if name in from_env and name in params:
            ignored.append((name, from_env.pop(name), why))
            params[name] = spec.get(name, {}).get('default')

    endpoints = [name for name in ENDPOINTS if given(name)]
    if endpoints:
        for name in ENDPOINTS:
            drop(name, 'the task gives %s' % endpoints[0])
    for method in CREDENTIAL_METHODS:
        chosen = [name for name in method if given(name)]
        if chosen:
            for other in CREDENTIAL_METHODS:
                if other is not method:
                    for name in other:
                        drop(name, 'the task gives %s, another way to log in' % chosen[0])
            break
    return ignored


def resolve(spec, args, environ, **rules):
    """The effective options of a task with arguments ``args`` run in ``environ`` (the action plugin's call).

    ``rules``: AnsibleModule's keyword arguments that check options (required_if, mutually_exclusive, ...).
    """
    from_env = {}
    checked = ArgumentSpecValidator(bind_fallbacks(spec, environ, from_env), **rules).validate(dict(args))
    params = dict(checked.validated_parameters)
    ignored = apply_rules(params, from_env, spec)
    return Resolved(params, from_env, ignored, checked.error_messages)


class ValidatedModule(AnsibleModule):
    """An AnsibleModule whose own argument validation fails like the collection does: with ``error_code``.

    AnsibleModule.__init__ refuses an unknown option, a missing required one or a wrong type with a message and no
    more; a task matching on ``error_code`` (docs/errors.md) would find none. Until __init__ has returned, a failure is
    the options' fault: ``invalid_option``, with the other failure fields of _errors.FAILURE_FIELDS (this file imports
    nothing of the collection, so they are written out here; test_resolve.py keeps them equal).
    """

    INVALID_OPTION = {'error_code': 'invalid_option', 'server_error_code': None, 'status': None, 'json': None}
    _validating = True

    def __init__(self, *args, **kwargs):
        super(ValidatedModule, self).__init__(*args, **kwargs)
        self._validating = False

    def fail_json(self, msg, **kwargs):
        fields = dict(self.INVALID_OPTION, **kwargs) if self._validating else kwargs
        super(ValidatedModule, self).fail_json(**dict(fields, msg=msg))


def resolve_module(spec, environ=None, module_class=ValidatedModule, **kwargs):
    """A ValidatedModule (or ``module_class``) whose params are resolve()'s, for the environment the module runs in."""
    from_env = {}
    module = module_class(argument_spec=bind_fallbacks(spec, os.environ if environ is None else environ, from_env),
                          **kwargs)
    apply_rules(module.params, from_env, spec)
    return module
