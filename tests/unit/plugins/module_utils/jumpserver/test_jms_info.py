# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_jms_info: version detection, clock skew, organisations and TLS facts, with the real requests stack against the
JumpServer simulator (in-process) and loopback servers (TLS, answers no JumpServer gives), in the hostile environment."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import builtins
import time

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver import _jms_info
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.loopback import LoopbackServer

PRIVATE_TOKEN = '937b38011acf499eb474e2fecb424ab3937b3801'
PROFILE = '/api/v1/users/profile/'

pytestmark = pytest.mark.usefixtures('hostile_env')


def client(url, **options):
    return JumpServerClient.from_options(dict(dict(url=url, private_token=PRIVATE_TOKEN, timeout=5), **options))


@pytest.mark.parametrize('offset', [0, 120, -3600])
def test_clock_skew_is_server_time_minus_local_time(jms, offset):
    # The local clock runs ``offset`` seconds behind the server's: the skew is +offset.
    server, skew = _jms_info.detect_server(client(jms.url), clock=lambda: time.time() - offset)
    assert server['major'] == 4 and abs(skew - offset) <= 1


def test_clock_skew_without_a_date_header_is_none():
    assert _jms_info.clock_skew(None, time.time()) is None
    assert _jms_info.clock_skew('not a date', time.time()) is None
    assert _jms_info.clock_skew('Sun, 06 Dec 2026 20:00:00 GMT', 1796587200.0) == 1


def answer(status, body, headers=None):
    return lambda handler: handler.send_json(status, body, headers)


@pytest.mark.parametrize('status, body, major, words', [
    (429, {'detail': 'Request was throttled.'}, 4, 'throttles'),
    (401, {'detail': 'Invalid token.', 'code': 'something_else'}, None,
     'not detected: an unknown bearer token was answered HTTP 401 something_else'),
    (200, {'id': 'x'}, None, 'answered HTTP 200'),
])
def test_answers_of_neither_version_are_said_as_such(status, body, major, words):
    with LoopbackServer({'*': answer(status, body, {'Retry-After': '0'})}) as srv:
        server, dummy = _jms_info.detect_server(client(srv.url, retries=0))
    assert server['major'] == major and words in server['detected_by']


def test_orgs_come_from_the_org_list_when_the_profile_has_no_org_fields(jms):
    orgs = _jms_info.visible_orgs(client(jms.url), {'id': 'x', 'username': 'admin'})
    assert [org['name'] for org in orgs] == ['Default', 'GLOBAL', 'SYSTEM', 'Ops']
    assert jms.requests('GET', '/api/v1/orgs/orgs/')


def test_an_org_seen_in_several_views_is_listed_once():
    profile = dict(console_orgs=[dict(id='a', name='A')], audit_orgs=[dict(id='a', name='A'), dict(id='b', name='B')],
                   workbench_orgs=[dict(id='b', name='B', is_default=True)])
    assert _jms_info.visible_orgs(None, profile) == [dict(id='a', name='A'), dict(id='b', name='B')]


def tls_server(certs, chain):
    return LoopbackServer({'*': answer(401, {'code': 'not_authenticated'})}, chain=getattr(certs, chain))


def test_a_verified_certificate_is_described(certs):
    with tls_server(certs, 'good') as srv:
        jms = client(srv.url, ca_path=certs.ca)
        _jms_info.detect_server(jms)
        facts = _jms_info.tls_facts(jms)
    assert facts['https'] is True and facts['verified'] is True
    assert facts['subject'] == 'CN=127.0.0.1' and facts['issuer'] == 'CN=opsauth test private CA'
    assert 29 * 86400 < facts['expires_at'] - time.time() < 31 * 86400
    assert facts['date_expired'] == time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(facts['expires_at']))
    assert len(srv.log) == 1  # read from the connection the answer came on: nothing sent twice


def test_an_unverified_certificate_is_still_described_with_verified_false(certs):
    with tls_server(certs, 'self_signed') as srv:
        jms = client(srv.url, validate_certs=False)
        _jms_info.detect_server(jms)
        facts = _jms_info.tls_facts(jms)
    assert facts['verified'] is False and facts['subject'] == 'CN=127.0.0.1' and facts['issuer'] == 'CN=127.0.0.1'
    assert facts['expires_at'] > time.time()


def test_without_cryptography_an_unverified_certificate_has_no_subject(certs, monkeypatch):
    real_import = builtins.__import__

    def no_cryptography(name, *args, **kwargs):
        if name.startswith('cryptography'):
            raise ImportError('no cryptography here')
        return real_import(name, *args, **kwargs)
    with tls_server(certs, 'self_signed') as srv:
        jms = client(srv.url, validate_certs=False)
        _jms_info.detect_server(jms)
        monkeypatch.setattr(builtins, '__import__', no_cryptography)
        facts = _jms_info.tls_facts(jms)
    assert facts == dict(https=True, verified=False, subject=None, issuer=None, date_expired=None, expires_at=None)


def test_a_certificate_that_fails_verification_fails_the_task(certs):
    with tls_server(certs, 'self_signed') as srv:
        with pytest.raises(Exception, match='TLS verification failed'):
            _jms_info.detect_server(client(srv.url, retries=0))
