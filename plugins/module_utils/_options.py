# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The options every module and lookup shares, declared once.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.
(TEMPORARY NOTE FOR ENGINEERS: read /work/main/CONTRIBUTING.md = /tmp/conventions.md before writing code.)

Modules build their argument_spec from these dicts; lookups read the same names with get_option()
(their env/vars/ini sources are documented in plugins/doc_fragments). Clients are built from a plain
dict of these names, whoever collected it, so a module and a lookup share one code path.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import env_fallback

DEFAULT_ORG_ID = '00000000-0000-0000-0000-000000000002'


def _env(*names):
    return (env_fallback, list(names))


# TLS, timeouts and retries: the same for both platforms, only the environment variables differ.
def _transport_spec(prefix):
    return dict(
        validate_certs=dict(type='bool', default=True, fallback=_env(prefix + '_VALIDATE_CERTS')),
        ca_path=dict(type='path', fallback=_env(prefix + '_CA_PATH')),
        timeout=dict(type='int', default=30, fallback=_env(prefix + '_TIMEOUT')),
        retries=dict(type='int', default=3, fallback=_env(prefix + '_RETRIES')),
    )


JMS_CONNECTION_SPEC = dict(
    url=dict(type='str', required=True, fallback=_env('JMS_URL')),
    org_id=dict(type='str', default=DEFAULT_ORG_ID, fallback=_env('JMS_ORG_ID')),
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

DEEPFLOW_CONNECTION_SPEC = dict(
    url=dict(type='str', fallback=_env('DEEPFLOW_URL')),
    fauths_url=dict(type='str', fallback=_env('DEEPFLOW_FAUTHS_URL')),
    fuser_url=dict(type='str', default='http://fuser:20824', fallback=_env('DEEPFLOW_FUSER_URL')),
    **_transport_spec('DEEPFLOW')
)

DEEPFLOW_AUTH_SPEC = dict(
    email=dict(type='str', fallback=_env('DEEPFLOW_EMAIL')),
    password=dict(type='str', no_log=True, fallback=_env('DEEPFLOW_PASSWORD')),
    account_type=dict(type='str', default='deepflow'),
    user_id=dict(type='int', default=1),
    user_type=dict(type='int', default=1),
)

DEEPFLOW_COMMON_SPEC = dict(DEEPFLOW_CONNECTION_SPEC, **DEEPFLOW_AUTH_SPEC)


def pick(params, spec):
    """The values of ``spec``'s options out of ``params`` (module.params, or a dict a lookup built)."""
    return dict((name, params.get(name)) for name in spec)
