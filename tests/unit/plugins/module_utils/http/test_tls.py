# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Errors a user can act on (issue 18, item 6), proven with the REAL requests stack against loopback servers.

Every test runs in conftest.hostile_env (CA bundles that trust nothing we serve, a .netrc for 127.0.0.1) with proxy
variables set as well: a proxy that refuses everything, and NO_PROXY for the loopback servers and for ``.invalid``.
A name under ``.invalid`` never resolves (RFC 2606), but this machine's resolver would still ask a name server off the
machine, so getaddrinfo answers for those names without asking anyone: the one layer replaced, below urllib3.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket
import time
import warnings

import pytest
import requests

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import ConnectionFailed
from ansible_collections.opsauth.tokens.plugins.module_utils.http._http import HttpClient
from ansible_collections.opsauth.tokens.plugins.module_utils.http._tls import insecure_warning, warn_insecure
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import RETRY_CONNECT
from ansible_collections.opsauth.tokens.tests.unit.plugins.error_table import raises_code
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.http.conftest import client, html
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.loopback import LoopbackServer

PROFILE = '/api/v1/users/profile/'
NGINX_400 = ('<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head><body><center><h1>400 '
             'Bad Request</h1></center><center>The plain HTTP request was sent to HTTPS port</center></body></html>')


# Every test here runs in conftest.proxied_env: hostile_env, plus proxy variables that no request should follow.
pytestmark = pytest.mark.usefixtures('proxied_env')


# --- http:// to a TLS port -------------------------------------------------------------------------------------------

def test_http_to_a_tls_port_says_use_https_and_is_not_retried(certs):
    sleeps = []
    with LoopbackServer({'*': html(200, '{}')}, chain=certs.good) as srv:
        plain = srv.url.replace('https://', 'http://')
        http = HttpClient(plain, retries=3, timeout=5, sleep=sleeps.append)
        with raises_code('https_required') as info:
            http.request('GET', PROFILE)
    assert 'the port speaks TLS: use %s in url' % srv.url in str(info.value)
    assert http.attempts == 1 and sleeps == [] and info.value.code == 'https_required'


def test_a_plain_http_400_page_of_a_tls_port_says_use_https():
    with LoopbackServer({'*': html(400, NGINX_400)}) as srv:
        with pytest.raises(Exception) as info:
            client(srv.url).request('GET', PROFILE)
    assert 'the port speaks TLS: use https://127.0.0.1:%d' % srv.port in str(info.value)


def test_a_dropped_connection_on_a_plain_port_is_still_retried():
    """Only a port that answers a TLS handshake gets the hint; any other dropped connection is retried as before."""
    def drop(handler):
        handler.close_connection = True
        handler.connection.shutdown(socket.SHUT_RDWR)
    sleeps = []
    with LoopbackServer({'*': drop}) as srv:
        http = HttpClient(srv.url, retries=2, timeout=5, sleep=sleeps.append)
        with pytest.raises(ConnectionFailed) as info:
            http.request('GET', PROFILE)
    assert info.value.code != 'https_required' and http.attempts == 3 and len(sleeps) == 2


# --- a host name that does not resolve -------------------------------------------------------------------------------

@pytest.fixture
def no_invalid_names(monkeypatch):
    """getaddrinfo answers EAI_NONAME for names under .invalid, as a resolver does, without asking a name server."""
    real = socket.getaddrinfo
    asked = []

    def getaddrinfo(host, *args, **kwargs):
        if str(host).rstrip('.').endswith('.invalid'):
            asked.append(host)
            raise socket.gaierror(socket.EAI_NONAME, 'Name or service not known')
        return real(host, *args, **kwargs)
    monkeypatch.setattr(socket, 'getaddrinfo', getaddrinfo)
    return asked


@pytest.mark.parametrize('method, retry', [('GET', 'idempotent'), ('POST', RETRY_CONNECT)])
def test_a_host_name_that_does_not_resolve_is_not_retried(no_invalid_names, method, retry):
    sleeps = []
    http = HttpClient('https://jumpserver.example.invalid', retries=3, timeout=5, sleep=sleeps.append)
    with raises_code('name_not_resolved') as info:
        http.request(method, PROFILE, retry=retry)
    assert no_invalid_names == ['jumpserver.example.invalid'] and http.attempts == 1 and sleeps == []
    assert str(info.value) == ('%s https://jumpserver.example.invalid%s: the host name jumpserver.example.invalid does '
                               'not resolve (Name or service not known); not retried: check the host name in url'
                               % (method, PROFILE))


def test_a_proxy_name_that_does_not_resolve_says_so(no_invalid_names, monkeypatch):
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.example.invalid:3128')
    monkeypatch.setenv('https_proxy', 'http://proxy.example.invalid:3128')
    monkeypatch.setenv('NO_PROXY', '127.0.0.1')
    monkeypatch.setenv('no_proxy', '127.0.0.1')
    http = HttpClient('https://jumpserver.example.com', retries=3, timeout=5, sleep=lambda seconds: None)
    with raises_code('name_not_resolved') as info:
        http.request('GET', PROFILE)
    assert 'proxy.example.invalid does not resolve' in str(info.value) and 'HTTPS_PROXY' in str(info.value)


# --- validate_certs=false --------------------------------------------------------------------------------------------

def test_validate_certs_false_prints_no_insecure_request_warning_and_leaves_the_filters_alone(certs):
    with LoopbackServer({'*': html(200, '{"ok": true}')}, chain=certs.self_signed) as srv:
        filters = list(warnings.filters)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            answer = HttpClient(srv.url, validate_certs=False, timeout=5).request('GET', PROFILE)
            ours = list(caught)
            # Other code in the same process still gets urllib3's warning: nothing was silenced globally.
            requests.get(srv.url + PROFILE, verify=False, timeout=5)
        assert warnings.filters == filters
    assert answer.json == {'ok': True}
    assert ours == []
    assert [type(item.message).__name__ for item in caught] == ['InsecureRequestWarning']


class _Module:
    def __init__(self, **params):
        self.params = params
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


def test_the_task_warns_once_for_validate_certs_false_on_https():
    module = _Module(url='https://jms.example.com/', validate_certs=False)
    warn_insecure(module)
    assert module.warnings == ['validate_certs=false: the TLS certificate of https://jms.example.com is not checked, '
                               'so the credentials of this task could go to anyone on the network path; give the CA '
                               'certificate in ca_path instead']
    for params in (dict(url='http://jms.example.com', validate_certs=False), dict(url='https://x', validate_certs=True)):
        quiet = _Module(**params)
        warn_insecure(quiet)
        assert quiet.warnings == []
    assert 'https://a and https://b:8443' in insecure_warning(['https://b:8443/x', 'https://a', None], False)


def test_the_tls_probe_is_quick_for_a_closed_port():
    started = time.monotonic()
    with pytest.raises(ConnectionFailed):
        HttpClient('http://127.0.0.1:9', retries=0, timeout=5).request('GET', PROFILE)
    assert time.monotonic() - started < 2
