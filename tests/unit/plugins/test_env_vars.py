# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The environment variables of every option: what the documentation promises is what the argument specs read.

Modules read an environment variable through the env_fallback of their argument spec (module_utils/_options.py and
the module's own options) and document it in the option's description ("If not set, the value of the E(NAME)
environment variable is used.", or "Environment variable E(NAME)."); lookups read it through Ansible's config from the ``env:`` of their documentation
(the PLUGINS variants of the doc fragments). Both must name the same variables, or a variable works in one place and
silently not in the other. The documentation is read as ansible-doc reads it: the plugin's DOCUMENTATION merged with
its extends_documentation_fragment.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import re

import pytest
import yaml

from ansible.module_utils.basic import env_fallback

from ansible_collections.opsauth.tokens.plugins.lookup import deepflow_token as deepflow_token_lookup
from ansible_collections.opsauth.tokens.plugins.lookup import jms_token as jms_token_lookup
from ansible_collections.opsauth.tokens.plugins.module_utils import _options
from ansible_collections.opsauth.tokens.plugins.plugin_utils._lookup_base import PLATFORMS
from ansible_collections.opsauth.tokens.plugins.modules import (
    deepflow_login,
    deepflow_permanent_token,
    jms_access_key,
    jms_private_token,
    jms_request,
    jms_token,
)

MODULES = (deepflow_login, deepflow_permanent_token, jms_access_key, jms_private_token, jms_request, jms_token)
# Lookup options with an environment variable that no module option has: the doc fragments say why (a module
# reads them from its task arguments only). Anything else a lookup reads from the environment, a module must too.
LOOKUP_ONLY = {'jms_token': {'mfa_code': ['JMS_MFA_CODE'], 'login_confirm_timeout': ['JMS_LOGIN_CONFIRM_TIMEOUT']},
               'deepflow_token': {'account_type': ['DEEPFLOW_ACCOUNT_TYPE']}}
# "Environment variable E(NAME)." (the short form the pages use), or the long form "If not set, the value of ...".
DESCRIBED = re.compile(r'(?:If not set, the value of the|Environment variable) E\((\w+)\)')
PREFIX = 'opsauth.tokens.'


def fragment(name):
    """The YAML of a doc fragment named as in extends_documentation_fragment (opsauth.tokens.NAME[.VARIANT])."""
    assert name.startswith(PREFIX), name
    parts = name[len(PREFIX):].split('.')
    module = importlib.import_module('ansible_collections.opsauth.tokens.plugins.doc_fragments.' + parts[0])
    return yaml.safe_load(getattr(module.ModuleDocFragment, parts[1].upper() if len(parts) > 1 else 'DOCUMENTATION'))


def documented_options(plugin):
    """{option: [its documentation pieces]}: the plugin's own and those of its fragments."""
    doc = yaml.safe_load(plugin.DOCUMENTATION)
    pieces = {}
    for part in [doc] + [fragment(name) for name in doc.get('extends_documentation_fragment') or []]:
        for name, option in (part.get('options') or {}).items():
            pieces.setdefault(name, []).append(option or {})
    return pieces


def described_env(pieces):
    """The variables the descriptions of an option promise a module reads."""
    text = ' '.join(' '.join(piece.get('description') if isinstance(piece.get('description'), list)
                             else [piece.get('description') or '']) for piece in pieces)
    return sorted(DESCRIBED.findall(' '.join(text.split())))


def declared_env(pieces):
    """The variables a lookup reads (the ``env:`` entries Ansible's config uses)."""
    return sorted(entry['name'] for piece in pieces for entry in piece.get('env') or [])


def fallback_env(option):
    """The variables an argument spec option falls back to."""
    fallback = option.get('fallback')
    if not fallback:
        return []
    assert fallback[0] is env_fallback
    return sorted(fallback[1])


@pytest.mark.parametrize('module', MODULES, ids=lambda module: module.__name__.rsplit('.', 1)[-1])
def test_a_modules_documented_variables_are_those_its_argument_spec_reads(module):
    docs = documented_options(module)
    spec = module.ARGUMENT_SPEC
    # Every option is documented (validate-modules checks this too) ...
    assert sorted(spec) == sorted(docs)
    promised = dict((name, described_env(docs[name])) for name in docs)
    read = dict((name, fallback_env(spec[name])) for name in docs)
    # ... and says exactly which variables the spec reads: none more, none fewer.
    assert promised == read
    assert any(read.values()) or module is jms_private_token  # the comparison covers real fallbacks


@pytest.mark.parametrize('lookup', [jms_token_lookup, deepflow_token_lookup], ids=['jms_token', 'deepflow_token'])
def test_a_lookup_reads_the_variables_of_the_modules_spec(lookup):
    docs = documented_options(lookup)
    # The spec whose options the lookup hands to the platform client, as a module does.
    spec_name = PLATFORMS[lookup.LookupModule.SOURCE]['option_spec']
    spec = getattr(_options, spec_name)
    lookup_only = LOOKUP_ONLY[lookup.__name__.rsplit('.', 1)[-1]]
    for name, option in spec.items():
        assert name in docs, '%s: option %s of %s is not documented' % (lookup.__name__, name, spec_name)
        expected = fallback_env(option) or lookup_only.get(name, [])
        assert declared_env(docs[name]) == expected, name
        # The module-style description the shared fragment carries says the same.
        assert described_env(docs[name]) == fallback_env(option), name


def test_the_lookup_only_variables_are_really_lookup_only():
    # Should a module spec gain one of them, it is no longer an exception: the list above must shrink.
    specs = (_options.JMS_COMMON_SPEC, _options.DEEPFLOW_FAUTHS_SPEC)
    for options in LOOKUP_ONLY.values():
        for name in options:
            assert all(fallback_env(spec.get(name, {})) == [] for spec in specs), name
