# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The two lookups, loaded by Ansible's lookup loader, against the simulators served in-process on 127.0.0.1.

Multi-process behaviour (forks, hosts) is in tests/unit/plugins/plugin_utils/test_token_cache.py and in the
integration targets lookup_jms_token and lookup_deepflow_token; here: option sources, outputs, errors.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import time

import pytest

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar

from ansible_collections.opsauth.tokens.plugins.module_utils._token_file import read_token_file
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


def test_jms_token_logs_in_once_and_reuses_the_token(sims):
    first = run_lookup('opsauth.tokens.jms_token', jms_vars(sims))
    second = run_lookup('opsauth.tokens.jms_token', jms_vars(sims), output='full')
    assert len(first) == 1 and len(first[0]) == 36
    assert second[0]['token'] == first[0] and second[0]['reused'] is True
    assert second[0]['user']['username'] == 'admin'
    assert second[0]['headers'] == {'Authorization': 'Bearer ' + first[0],
                                    'X-JMS-ORG': '00000000-0000-0000-0000-000000000002'}
    assert 86000 < second[0]['expires_in'] <= 86400
    assert len(sims['jms'].requests('POST', '/api/v1/authentication/auth/')) == 1


def test_jms_token_options_from_environment_terms_and_keywords(sims, monkeypatch):
    monkeypatch.setenv('JMS_URL', sims['jms'].url)
    monkeypatch.setenv('JMS_USERNAME', 'alice')
    monkeypatch.setenv('JMS_PASSWORD', 'Alice-Pass-1')
    assert run_lookup('opsauth.tokens.jms_token', output='full')[0]['user']['username'] == 'alice'
    # a term of option=value words wins over the environment; one result per term
    results = run_lookup('opsauth.tokens.jms_token', terms=['username=admin password=Adm1n-Pass!', ''], output='headers',
                         org_id='11111111-1111-1111-1111-111111111111')
    assert len(results) == 2
    assert results[0]['X-JMS-ORG'] == '11111111-1111-1111-1111-111111111111'
    assert results[0]['Authorization'] != results[1]['Authorization']  # admin's token, then alice's (cached)
    assert len(sims['jms'].requests('POST', '/api/v1/authentication/auth/')) == 2


def test_jms_token_wrong_password_is_one_request_then_cached_failure(sims):
    variables = jms_vars(sims, ansible_jms_password='Wr0ng-Secret-Value')
    messages = []
    for dummy in range(3):
        with pytest.raises(AnsibleError) as failure:
            run_lookup('opsauth.tokens.jms_token', variables)
        messages.append(str(failure.value))
    assert messages[0].startswith('opsauth.tokens.jms_token: [password_failed] login as ')  # docs/errors.md
    assert all(messages[0] in message and 'an earlier login in this run failed' in message for message in messages[1:])
    assert all('Wr0ng-Secret-Value' not in message for message in messages)
    assert len(sims['jms'].requests('POST', '/api/v1/authentication/auth/')) == 1


def test_jms_token_mfa_by_totp_secret(sims):
    result = run_lookup('opsauth.tokens.jms_token', jms_vars(sims, ansible_jms_username='mfa', ansible_jms_password='Mfa-Pass-1',
                                                             ansible_jms_mfa_totp_secret='JBSWY3DPEHPK3PXP'), output='full')
    assert result[0]['user']['username'] == 'mfa' and result[0]['reused'] is False
    assert len(sims['jms'].requests('POST', '/api/v1/authentication/mfa/challenge/')) == 1


def test_jms_token_refuses_other_credentials(sims):
    with pytest.raises(AnsibleError, match='token cannot be used here|either password or token'):
        run_lookup('opsauth.tokens.jms_token', jms_vars(sims), token='0123456789')
    assert sims['jms'].requests('POST', '/api/v1/authentication/auth/') == []


def test_cache_false_logs_in_every_time_and_writes_nothing(sims):
    for dummy in range(2):
        run_lookup('opsauth.tokens.jms_token', jms_vars(sims, opsauth_tokens_cache=False))
    assert len(sims['jms'].requests('POST', '/api/v1/authentication/auth/')) == 2
    assert os.listdir(C.DEFAULT_LOCAL_TMP) == []


def test_a_term_word_without_equals_is_refused_without_echoing_it(sims):
    with pytest.raises(AnsibleError) as failure:
        run_lookup('opsauth.tokens.jms_token', jms_vars(sims), terms=['username=admin Adm1n-Pass!'])
    assert 'word 2 of the term is not option=value' in str(failure.value)
    assert 'Adm1n-Pass!' not in str(failure.value)


def deepflow_vars(sims, **extra):
    return dict(dict(ansible_deepflow_url=sims['deepflow'].url, ansible_deepflow_email='ops@example.com',
                     ansible_deepflow_password='Ops-Pass-1'), **extra)


def test_deepflow_token_outputs_share_one_login(sims):
    token = run_lookup('opsauth.tokens.deepflow_token', deepflow_vars(sims))[0]
    pages = run_lookup('opsauth.tokens.deepflow_token', deepflow_vars(sims), output='pages')[0]
    full = run_lookup('opsauth.tokens.deepflow_token', deepflow_vars(sims), output='full')[0]
    assert token.count('.') == 2  # a JWT
    assert sorted(pages) == ['applications', 'network', 'views']
    assert pages['views'].startswith(sims['deepflow'].url + '/monitor/list?token=' + token + '&refreshToken=')
    assert full['token'] == token and full['reused'] is True and full['email'] == 'ops@example.com'
    assert full['pages'] == pages and 3000 < full['expires_in'] <= 3600
    assert [r['path'] for r in sims['deepflow'].requests('POST')] == ['/api/fauths/login']


def test_deepflow_pages_need_the_controller_url(sims):
    variables = deepflow_vars(sims, ansible_deepflow_fauths_url=sims['deepflow'].url)
    del variables['ansible_deepflow_url']
    with pytest.raises(AnsibleError, match='output=pages needs url'):
        run_lookup('opsauth.tokens.deepflow_token', variables, output='pages')
    assert sims['deepflow'].requests('POST') == []  # said before logging in


def test_deepflow_token_near_expiry_is_refreshed_not_logged_in(sims):
    first = run_lookup('opsauth.tokens.deepflow_token', deepflow_vars(sims, opsauth_tokens_min_ttl=3590))[0]
    # min_ttl is capped at half the token's life: the token is still reused
    assert run_lookup('opsauth.tokens.deepflow_token', deepflow_vars(sims, opsauth_tokens_min_ttl=3590))[0] == first
    cache_dir = os.path.join(C.DEFAULT_LOCAL_TMP, 'opsauth_tokens_cache')
    entry_name = [name for name in os.listdir(cache_dir) if name.startswith('deepflow-') and name.endswith('.json')][0]
    entry = read_token_file(os.path.join(cache_dir, entry_name))
    entry['obtained_at'], entry['expires_at'] = time.time() - 3500, time.time() + 100  # within min_ttl (300) of expiry
    _token_cache.write_token_file(os.path.join(cache_dir, entry_name), entry)
    second = run_lookup('opsauth.tokens.deepflow_token', deepflow_vars(sims), output='full')[0]
    assert second['token'] != first and second['token_type'] == 'refresh_token' and second['reused'] is False
    assert [r['path'] for r in sims['deepflow'].requests('POST')] == ['/api/fauths/login', '/api/fauths/refresh_token']


def test_jms_token_checks_the_org_once_per_run(sims):
    unknown = '99999999-9999-9999-9999-999999999999'
    for dummy in range(2):
        with pytest.raises(AnsibleError) as failure:
            run_lookup('opsauth.tokens.jms_token', jms_vars(sims), org_id=unknown)
        assert 'org' in str(failure.value) and unknown in str(failure.value)
    org_checks = [entry for entry in sims['jms'].requests('GET') if entry['path'].startswith('/api/v1/orgs/orgs/')]
    assert len(org_checks) == 1  # the verdict is kept for the run: the second evaluation sent no check
    # a known org is checked once too, and then every evaluation answers from the cache
    ops = '11111111-1111-1111-1111-111111111111'
    first = run_lookup('opsauth.tokens.jms_token', jms_vars(sims), org_id=ops, output='headers')[0]
    again = run_lookup('opsauth.tokens.jms_token', jms_vars(sims), org_id=ops, output='headers')[0]
    assert first == again and first['X-JMS-ORG'] == ops
    org_checks = [entry for entry in sims['jms'].requests('GET') if entry['path'].startswith('/api/v1/orgs/orgs/')]
    assert len(org_checks) == 2
    assert len(sims['jms'].logins()) == 1


def test_jms_token_without_url_names_the_option_and_where_it_comes_from(sims):
    with pytest.raises(AnsibleError) as failure:
        run_lookup('opsauth.tokens.jms_token', username='admin', password='Adm1n-Pass!')
    assert str(failure.value) == ('opsauth.tokens.jms_token: [invalid_option] url is required: give url=... in the '
                                  'lookup, or set the environment variable JMS_URL or the variable ansible_jms_url')
    assert sims['jms'].requests() == []


def test_validate_certs_false_is_one_ansible_warning(sims, monkeypatch):
    from ansible_collections.opsauth.tokens.plugins.plugin_utils import _lookup_base

    shown = []
    monkeypatch.setattr(_lookup_base.display, 'warning', shown.append)
    with pytest.raises(AnsibleError):
        run_lookup('opsauth.tokens.jms_token', url='https://127.0.0.1:9', username='admin', password='pw',
                   validate_certs=False, retries=0)
    assert shown == ['opsauth.tokens.jms_token: validate_certs=false: the TLS certificate of https://127.0.0.1:9 is not '
                     'checked, so the credentials of this task could go to anyone on the network path; give the CA '
                     'certificate in ca_path instead']
