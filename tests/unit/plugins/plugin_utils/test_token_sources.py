# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 17: cache keys are structured, and hold every option that changes what a token is valid for.

Before: a DeepFlow identity was the string ``email (account_type)``, which two identities could share, and TLS
settings were not in the key, so a token obtained with validate_certs=false was served to a task that verifies.
The logins here go through the real requests stack to loopback HTTPS servers, in a hostile environment (CA bundles
that trust nothing we serve, a .netrc for 127.0.0.1, proxy variables).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import ConnectionFailed
from ansible_collections.opsauth.tokens.plugins.plugin_utils import _token_cache, _token_sources
from ansible_collections.opsauth.tokens.plugins.plugin_utils._token_cache import TokenCache
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.loopback import LoopbackServer
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.conftest import (  # noqa: F401 pylint: disable=unused-import
    certs,
    hostile_env,
)

PASSWORD = 'Df-Pass-1'


@pytest.fixture(autouse=True)
def proxies(hostile_env, monkeypatch):
    """test_transport.py's hostile environment (CA bundles that trust nothing we serve, a .netrc for 127.0.0.1), plus
    proxy variables that would break any request sent through them."""
    for name in ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY'):
        monkeypatch.setenv(name, 'http://127.0.0.1:9')  # nothing listens there: a proxied request would fail
        monkeypatch.setenv(name.lower(), 'http://127.0.0.1:9')
    monkeypatch.setenv('NO_PROXY', '127.0.0.1')
    monkeypatch.setenv('no_proxy', '127.0.0.1')
    _token_cache._HMAC_KEYS.clear()
    yield
    _token_cache._HMAC_KEYS.clear()


@pytest.fixture
def cache(tmp_path):
    os.chmod(str(tmp_path), 0o700)
    return TokenCache(str(tmp_path / 'run'))


def fauths_login(handler):
    handler.send_json(200, {'OPT_STATUS': 'SUCCESS', 'DESCRIPTION': '', 'DATA': {
        'access_token': 'access-%d' % len(handler.server.log), 'refresh_token': 'refresh-x', 'expires_in': 3600,
        'token_type': 'password', 'email': 'a@b.c', 'license': True}})


def deepflow(url, **options):
    return _token_sources.deepflow(dict(dict(fauths_url=url, email='a@b.c', password=PASSWORD, retries=0), **options))


def jumpserver(url, **options):
    return _token_sources.jumpserver(dict(dict(url=url, username='alice', password=PASSWORD, retries=0), **options))


def test_two_deepflow_identities_never_share_an_entry(cache):
    """``email (account_type)`` was one string: these two identities had the same entry."""
    one, dummy = deepflow('https://df.example.com', email='a@b.c (ldap)', account_type='deepflow')
    two, dummy = deepflow('https://df.example.com', email='a@b.c', account_type='ldap')
    assert cache.entry_path(one) != cache.entry_path(two)
    assert one.describe()['identity'] != two.describe()['identity']


@pytest.mark.parametrize('build', [deepflow, jumpserver])
def test_every_tls_option_is_part_of_the_key(cache, certs, build):
    base = build('https://srv.example.com')[0]
    variants = [build('https://srv.example.com', validate_certs=False)[0],
                build('https://srv.example.com', ca_path=certs.ca)[0],
                build('https://other.example.com')[0]]
    paths = [cache.entry_path(key) for key in [base] + variants]
    assert len(set(paths)) == len(paths)
    assert cache.entry_path(build('https://srv.example.com/')[0]) == paths[0]  # the same server, the same entry
    # What counts is the trust requests applies: REQUESTS_CA_BUNDLE (other_ca here) or the same file in ca_path.
    assert cache.entry_path(build('https://srv.example.com', ca_path=certs.other_ca)[0]) == paths[0]


def test_a_token_obtained_without_verification_is_not_served_to_a_task_that_verifies(cache, certs):
    with LoopbackServer({'/login': fauths_login}, chain=certs.self_signed) as fauths:
        key, source = deepflow(fauths.url, validate_certs=False)
        first = cache.get(key, source)
        assert first.obtained_by == 'login' and len(fauths.log) == 1
        assert cache.get(key, source).obtained_by == 'cache'  # the same options: one login per run, as before

        key, source = deepflow(fauths.url)  # verifies, with a bundle that does not trust the self-signed server
        with pytest.raises(ConnectionFailed, match='TLS verification failed'):
            cache.get(key, source)
        assert len(fauths.log) == 1  # the password was not sent again: the handshake failed first


def test_a_token_obtained_with_one_ca_is_not_served_under_another(cache, certs):
    with LoopbackServer({'/login': fauths_login}, chain=certs.good) as fauths:
        key, source = deepflow(fauths.url, ca_path=certs.ca)
        assert cache.get(key, source).obtained_by == 'login'
        key, source = deepflow(fauths.url, ca_path=certs.other_ca)
        with pytest.raises(ConnectionFailed, match='TLS verification failed'):
            cache.get(key, source)
        assert len(fauths.log) == 1
