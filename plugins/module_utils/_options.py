# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The options every module and lookup shares, declared once.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Standard library and ansible.module_utils only: every module imports this file, so whatever it imported would ship in
every module's payload (a DeepFlow module would carry the JumpServer client). The defaults come from _defaults.py
(constants only), which the components import too; no component imports this file. Modules build their
argument_spec with generate_argspec() (the pattern of community.hashi_vault's HashiVaultModule.generate_argspec) and
resolve it with _resolve.py (the environment fallbacks, and which of them a task's own options set aside); lookups
read the same names with get_option() (their env/vars/ini sources are documented in plugins/doc_fragments, kept
equal by tests/unit/plugins/test_env_vars.py). Clients are built from a plain dict of these names, whoever collected
it, so a module and a lookup share one code path.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import env_fallback

from ansible_collections.opsauth.tokens.plugins.module_utils._defaults import (
    DEFAULT_EXEC_TIMEOUT,
    DEFAULT_FUSER_URL,
    DEFAULT_JMS_LANGUAGE,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_ORG_ID,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
)


def _env(*names):
    return (env_fallback, list(names))


def generate_argspec(*specs, **options):
    """A module's argument_spec: the shared ``specs`` it takes, then its own ``options``.

    An option declared twice is a mistake (the later declaration would silently win): ValueError names it.
    """
    argspec = {}
    for spec in specs + (options,):
        twice = sorted(set(argspec) & set(spec))
        if twice:
            raise ValueError('option(s) declared twice: %s' % ', '.join(twice))
        argspec.update(spec)
    return argspec


# TLS, timeouts and retries: the same for both platforms, only the environment variables differ.
def _transport_spec(prefix):
    return dict(
        validate_certs=dict(type='bool', default=True, fallback=_env(prefix + '_VALIDATE_CERTS')),
        ca_path=dict(type='path', fallback=_env(prefix + '_CA_PATH')),
        timeout=dict(type='int', default=DEFAULT_TIMEOUT, fallback=_env(prefix + '_TIMEOUT')),
        retries=dict(type='int', default=DEFAULT_RETRIES, fallback=_env(prefix + '_RETRIES')),
        max_response_size=dict(type='int', default=DEFAULT_MAX_RESPONSE_SIZE, fallback=_env(prefix + '_MAX_RESPONSE_SIZE')),
    )


JMS_CONNECTION_SPEC = dict(
    url=dict(type='str', required=True, fallback=_env('JMS_URL')),
    org_id=dict(type='str', default=DEFAULT_ORG_ID, fallback=_env('JMS_ORG_ID')),
    language=dict(type='str', default=DEFAULT_JMS_LANGUAGE, fallback=_env('JMS_LANGUAGE')),
    **_transport_spec('JMS')
)

# Exactly one of the credentials below is used; giving two is an error that names both.
JMS_AUTH_SPEC = dict(
    username=dict(type='str', fallback=_env('JMS_USERNAME')),
    password=dict(type='str', no_log=True, fallback=_env('JMS_PASSWORD')),
    token=dict(type='str', no_log=True, fallback=_env('JMS_TOKEN')),
    private_token=dict(type='str', no_log=True, fallback=_env('JMS_PRIVATE_TOKEN')),
    access_key_id=dict(type='str', no_log=False, fallback=_env('JMS_ACCESS_KEY_ID')),
    access_key_secret=dict(type='str', no_log=True, fallback=_env('JMS_ACCESS_KEY_SECRET')),
    mfa_code=dict(type='str', no_log=True),
    mfa_totp_secret=dict(type='str', no_log=True, fallback=_env('JMS_MFA_TOTP_SECRET')),
    login_confirm_timeout=dict(type='int', default=0),
)

JMS_COMMON_SPEC = dict(JMS_CONNECTION_SPEC, **JMS_AUTH_SPEC)

# A web-login session: only jms_request takes one (a browser session is too short-lived to store or cache).
JMS_SESSION_SPEC = dict(
    session_id=dict(type='str', no_log=True, fallback=_env('JMS_SESSION_ID')),
    csrf_token=dict(type='str', no_log=True, fallback=_env('JMS_CSRF_TOKEN')),
)

# The run's token cache, as the lookups' option of the same name: false turns the run's login off for the task (the
# module logs in itself). None: the lookups' setting (opsauth_tokens_cache, OPSAUTH_TOKENS_CACHE, ansible.cfg), read
# on the controller by the action plugin; so no environment fallback here. Every module of the connection groups
# takes it, so that module_defaults of a group can carry it (docs/security.md, "Action groups").
CACHE_SPEC = dict(cache=dict(type='bool'))

# fauths (short-lived tokens) is reached directly or through the controller at <url>/api/fauths.
DEEPFLOW_CONNECTION_SPEC = dict(
    url=dict(type='str', fallback=_env('DEEPFLOW_URL')),
    fauths_url=dict(type='str', fallback=_env('DEEPFLOW_FAUTHS_URL')),
    **_transport_spec('DEEPFLOW')
)

DEEPFLOW_AUTH_SPEC = dict(
    email=dict(type='str', fallback=_env('DEEPFLOW_EMAIL')),
    password=dict(type='str', no_log=True, fallback=_env('DEEPFLOW_PASSWORD')),
    account_type=dict(type='str', default='deepflow'),
)

# fuser (permanent tokens) is internal only, which is why it trusts the identity headers (1/1 = super admin).
DEEPFLOW_FUSER_SPEC = dict(
    fuser_url=dict(type='str', default=DEFAULT_FUSER_URL, fallback=_env('DEEPFLOW_FUSER_URL')),
    user_id=dict(type='int', default=1),
    user_type=dict(type='int', default=1),
)

# What fauths needs (deepflow_login); documented by the opsauth.tokens.deepflow doc fragment.
DEEPFLOW_FAUTHS_SPEC = dict(DEEPFLOW_CONNECTION_SPEC, **DEEPFLOW_AUTH_SPEC)
# Everything (deepflow_permanent_token, lookups); the fuser part is documented by opsauth.tokens.deepflow.fuser.
DEEPFLOW_COMMON_SPEC = dict(DEEPFLOW_FAUTHS_SPEC, **DEEPFLOW_FUSER_SPEC)


# The token file of jms_token, deepflow_login and deepflow_permanent_token; documented by opsauth.tokens.token_file.
TOKEN_FILE_SPEC = dict(
    dest=dict(type='path'),
)

# Whose credential dest holds (module_utils/files/_token_identity.py); documented by opsauth.tokens.token_file.identity.
TOKEN_OWNER_SPEC = dict(
    force=dict(type='bool', default=False),
)


# Where an in-container job runs (module_utils/exec/_exec.py); documented by the opsauth.tokens.exec doc fragment.
# No environment fallbacks: which container or pod a token is made in is the task's choice, not the environment's.
EXEC_SPEC = dict(
    runtime=dict(type='str', choices=['docker', 'podman', 'kubectl']),
    container=dict(type='str'),
    namespace=dict(type='str'),
    pod=dict(type='str'),
    pod_selector=dict(type='str'),
    kubeconfig=dict(type='path'),
    context=dict(type='str'),
    docker_binary=dict(type='path', default='docker'),
    podman_binary=dict(type='path', default='podman'),
    kubectl_binary=dict(type='path', default='kubectl'),
    exec_timeout=dict(type='int', default=DEFAULT_EXEC_TIMEOUT),
)


# What module_defaults of each action group of meta/runtime.yml are meant to carry: every module of the group takes
# each of these options, declared by the same spec, so no default a group carries is refused by one of its modules or
# means something else there (tests/unit/plugins/test_action_groups.py; the table in docs/security.md).
GROUP_OPTIONS = {
    'jumpserver': tuple(sorted(JMS_COMMON_SPEC)) + tuple(CACHE_SPEC),
    'deepflow': tuple(sorted(DEEPFLOW_FAUTHS_SPEC)) + tuple(CACHE_SPEC),
}
