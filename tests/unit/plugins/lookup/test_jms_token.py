# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The jms_token lookup (plugins/lookup/jms_token.py), loaded by Ansible's lookup loader, against the JumpServer
simulator served in-process on 127.0.0.1: option sources, outputs, errors."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible import constants as C
from ansible.errors import AnsibleError

from ansible_collections.opsauth.tokens.tests.unit.plugins.lookup.conftest import jms_vars, run_lookup


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
