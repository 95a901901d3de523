# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the lookup tests share: fresh simulators and a fresh run (``sims``), and a lookup run by Ansible's lookup
loader (``run_lookup``) with the variables a play would give it.

Multi-process behaviour (forks, hosts) is in tests/unit/plugins/plugin_utils/test_token_cache.py and in the
integration targets lookup_jms_token and lookup_deepflow_token; here: option sources, outputs, errors.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible import constants as C
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar

from ansible_collections.opsauth.tokens.plugins.plugin_utils import _token_cache


try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19 templates every string
    def trust_as_template(value):
        return value


@pytest.fixture
def sims(jms, df, tmp_path, monkeypatch):
    """Fresh simulators, and a fresh 'run': C.DEFAULT_LOCAL_TMP is the run's directory."""
    local_tmp = tmp_path / 'ansible-local-test'
    local_tmp.mkdir(mode=0o700)
    monkeypatch.setattr(C, 'DEFAULT_LOCAL_TMP', str(local_tmp))
    for name in list(os.environ):
        if name.startswith(('JMS_', 'DEEPFLOW_', 'OPSAUTH_TOKENS_')):
            monkeypatch.delenv(name)
    _token_cache._HMAC_KEYS.clear()
    return {'jms': jms, 'deepflow': df}


def run_lookup(name, variables=None, terms=None, **kwargs):
    variables = dict((key, trust_as_template(value) if isinstance(value, str) else value)
                     for key, value in (variables or {}).items())
    loader = DataLoader()
    templar = Templar(loader=loader, variables=variables)
    lookup = lookup_loader.get(name, loader=loader, templar=templar)
    return lookup.run(terms or [], variables=variables, **kwargs)


def jms_vars(sims, **extra):
    # The URL goes through a template, as in a play (vars: ansible_jms_url: "{{ jms_url }}").
    return dict(dict(jms_url=sims['jms'].url, ansible_jms_url='{{ jms_url }}', ansible_jms_username='admin',
                     ansible_jms_password='Adm1n-Pass!'), **extra)


def deepflow_vars(sims, **extra):
    return dict(dict(ansible_deepflow_url=sims['deepflow'].url, ansible_deepflow_email='ops@example.com',
                     ansible_deepflow_password='Ops-Pass-1'), **extra)
