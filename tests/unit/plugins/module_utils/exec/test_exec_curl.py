# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP through curl inside a pod (_exec_curl.CurlTransport).

curl really runs, inside the fake kubectl of tests/harness/fakes (by explicit path), and reaches a small HTTP server on
127.0.0.1 started here: the one layer faked is the container runtime.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow import PermanentTokenClient
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import ConnectionFailed, InvalidResponse
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec import ExecTarget
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_curl import CurlTransport
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_errors import ExecCommandFailed
from ansible_collections.opsauth.tokens.tests.unit.plugins.conftest import FAKE_BIN
from ansible_collections.opsauth.tokens.tests.unit.plugins.error_table import raises_code

KUBECTL = os.path.join(FAKE_BIN, 'kubectl')
SECRET = 'S3cret-Pa$$word-\'"-x'


class _Handler(BaseHTTPRequestHandler):
    seen = []

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length).decode() if length else ''
        self.seen.append({'method': self.command, 'path': self.path, 'headers': dict(self.headers), 'body': body})
        if self.path.startswith('/html'):
            payload, ctype, status = b'<html><body>Bad Gateway</body></html>', 'text/html', 502
        else:
            payload, ctype, status = json.dumps({'OPT_STATUS': 'SUCCESS', 'DATA': {'echo': body}}).encode(), 'application/json', 200
            if self.path.startswith('/created'):
                status = 201
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture
def http_server():
    server = HTTPServer(('127.0.0.1', 0), _Handler)
    _Handler.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_address[1], _Handler.seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def world(fake_runtime, http_server):
    """The fake runtime's world: one Running front-end pod whose curl reaches http_server as http://fuser:20824."""
    return fake_runtime({'containers': {}, 'kubernetes': {'contexts': ['kind-a'], 'current_context': 'kind-a', 'pods': [
        dict(name='front-end-1', namespace='deepflow', labels={'app': 'front-end'}, phase='Running', containers=['main'],
             root='front_end', hosts={'fuser:20824': http_server[0]}),
    ]}})


@pytest.fixture
def curl_pod(world, http_server):
    target = ExecTarget(runtime='kubectl', namespace='deepflow', pod_selector='app=front-end', kubectl_binary=KUBECTL)
    return CurlTransport(target, 'http://fuser:20824', timeout=10), http_server[1]


def test_curl_sends_the_body_on_stdin_and_parses_the_answer(world, curl_pod):
    transport, seen = curl_pod
    resp = transport.request('POST', '/v1/user/permanent_token', json_body={'email': 'a@b.c', 'password': SECRET},
                             headers={'X-User-Id': '1', 'X-User-Type': '1'}, secrets=[SECRET])
    assert resp.status == 200 and resp.ok
    assert json.loads(resp.json['DATA']['echo']) == {'email': 'a@b.c', 'password': SECRET}
    assert seen[-1]['method'] == 'POST' and seen[-1]['path'] == '/v1/user/permanent_token'
    assert seen[-1]['headers']['X-User-Id'] == '1' and seen[-1]['headers']['Content-Type'] == 'application/json'
    assert world.calls()[-1]['argv'] == [
        'kubectl', '-n', 'deepflow', 'exec', '-i', 'front-end-1', '--', 'curl', '-q', '-sS', '--max-redirs', '0',
        '--proto', '=http,https', '-X', 'POST', '--max-time', '10',
        '--max-filesize', '8388608',
        '-H', 'X-User-Id: 1', '-H', 'X-User-Type: 1', '-H', 'Content-Type: application/json', '--data-binary', '@-',
        '-w', '\\n%{redirect_url}\\n%{http_code}', 'http://fuser:20824/v1/user/permanent_token']
    assert SECRET not in json.dumps(world.calls())


def test_curl_takes_the_positional_order_of_the_deepflow_client(world, curl_pod):
    # _deepflow.PermanentTokenClient calls transport.request(method, path, params, json_body, headers)
    transport, seen = curl_pod
    resp = transport.request('POST', '/v1/user/permanent_token', None, {'email': 'a@b.c', 'password': SECRET},
                             {'X-User-Id': '1', 'X-User-Type': '1'})
    assert resp.status == 200 and seen[-1]['headers']['X-User-Type'] == '1'
    assert json.loads(seen[-1]['body'])['password'] == SECRET


def test_curl_errors_never_show_the_password_of_the_body(tmp_path):
    # A "curl" that fails and echoes its stdin (the body) to stderr: the error must not carry the password.
    fake = tmp_path / 'echoing-curl'
    fake.write_text(u'#!/bin/sh\necho "curl: (22) The requested URL returned error: $(cat)" >&2\nexit 22\n')
    fake.chmod(0o700)
    transport = CurlTransport(ExecTarget(), 'http://fuser:20824', curl=str(fake))
    with pytest.raises(ExecCommandFailed) as info:
        transport.request('POST', '/v1/user/permanent_token', None, {'email': 'a@b.c', 'password': SECRET})
    assert info.value.rc == 22 and 'The requested URL returned error' in str(info.value)
    assert SECRET not in str(info.value) and json.dumps(SECRET)[1:-1] not in str(info.value)
    assert SECRET not in info.value.stderr and 'a@b.c' in str(info.value)


def test_curl_query_status_and_no_body(world, curl_pod):
    transport, seen = curl_pod
    resp = transport.request('GET', '/created', params={'email': 'a b@c.d'})
    assert resp.status == 201
    assert seen[-1]['path'] == '/created?email=a+b%40c.d' and seen[-1]['body'] == ''
    assert '--data-binary' not in world.calls()[-1]['argv']
    assert transport.attempts == 1


def test_curl_html_answer_is_an_invalid_response(curl_pod):
    transport, _seen = curl_pod
    with pytest.raises(InvalidResponse, match='HTTP 502 .*Bad Gateway'):
        transport.request('GET', '/html')
    assert transport.request('GET', '/html', expect_json=False).status == 502


def test_curl_unknown_host_or_closed_port_is_a_connection_failure(world, curl_pod):
    transport, _seen = curl_pod
    with pytest.raises(ConnectionFailed, match='Could not resolve host: elsewhere'):
        CurlTransport(transport.target, 'http://elsewhere:1').request('GET', '/x')
    world.state['kubernetes']['pods'][0]['hosts'] = {'fuser:20824': 'http://127.0.0.1:9'}
    world.save()
    with pytest.raises(ConnectionFailed, match="Couldn't connect"):
        transport.request('GET', '/x')


def test_curl_refuses_a_secret_header_on_its_command_line(curl_pod):
    transport, seen = curl_pod
    for name in ('Authorization', 'Cookie', 'X-Api-Key', 'X-Auth-Token'):
        with raises_code('invalid_option', match='refusing to send header %s' % name):
            transport.request('GET', '/x', headers={name: 'secret'})
    assert not seen


def test_curl_pod_not_running_is_the_runtime_error(world, curl_pod):
    transport, _seen = curl_pod
    assert transport.request('GET', '/x').status == 200  # finds the pod, once
    world.state['kubernetes']['pods'][0]['phase'] = 'Failed'
    world.save()
    with raises_code('exec_target_not_running', match='front-end-1 in namespace deepflow has completed'):
        transport.request('GET', '/x')


# --- issue 17: curl in the pod reads no ~/.curlrc, follows no redirect, speaks only http(s) -------------------------

class _Redirecting(BaseHTTPRequestHandler):
    """fuser "behind" a 307 to another server (``target``), as a hostile or misconfigured ingress would answer."""
    seen = []
    target = None

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        self.seen.append({'method': self.command, 'path': self.path, 'body': self.rfile.read(length).decode()})
        self.send_response(307)
        self.send_header('Location', self.target + self.path)
        self.send_header('Content-Length', '0')
        self.end_headers()

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def redirecting(http_server):
    server = HTTPServer(('127.0.0.1', 0), _Redirecting)
    _Redirecting.seen, _Redirecting.target = [], http_server[0]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield 'http://127.0.0.1:%d' % server.server_address[1], _Redirecting.seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize('curlrc', ['location\n', '-L\nmax-redirs = 3\n', '--location\nproto "=http,https,file"\n'])
def test_a_curlrc_with_location_never_sends_the_password_to_a_redirect_target(
        fake_runtime, http_server, redirecting, tmp_path, curlrc):
    """The pod user's ~/.curlrc said ``location``: a 307 made curl resend the body (the password) to the Location."""
    home = tmp_path / 'pod-home'
    home.mkdir()
    (home / '.curlrc').write_text(curlrc)
    world = fake_runtime({'containers': {}, 'kubernetes': {'contexts': ['kind-a'], 'current_context': 'kind-a', 'pods': [
        dict(name='front-end-1', namespace='deepflow', labels={'app': 'front-end'}, phase='Running', containers=['main'],
             root='front_end', hosts={'fuser:20824': redirecting[0]}, env={'HOME': str(home)})]}})
    target = ExecTarget(runtime='kubectl', namespace='deepflow', pod_selector='app=front-end', kubectl_binary=KUBECTL)
    client = PermanentTokenClient(CurlTransport(target, 'http://fuser:20824', timeout=10))
    with raises_code('redirect_refused') as caught:
        client.create('a@b.c', SECRET)
    assert 'redirects are not followed' in str(caught.value) and SECRET not in str(caught.value)
    assert [entry['method'] for entry in redirecting[1]] == ['POST']
    assert http_server[1] == []  # the redirect target saw nothing, the password least of all
    assert world.calls()[-1]['argv'][7:9] == ['curl', '-q']


def test_curl_starts_with_q_follows_no_redirect_and_speaks_only_http():
    transport = CurlTransport(ExecTarget(), 'http://fuser:20824', curl=os.path.join(FAKE_BIN, 'curl'))
    argv = transport.curl_argv('GET', 'http://fuser:20824/x')
    assert argv[1] == '-q' and argv[argv.index('--proto') + 1] == '=http,https'
    assert argv[argv.index('--max-redirs') + 1] == '0'
    assert not set(argv) & set(['-L', '--location', '--location-trusted', '--netrc', '--netrc-optional'])


# The same defect through the REAL curl of this machine (the issue asks for the real stack): the transport on the
# host runtime (ExecTarget()), HOME holding a .curlrc, a loopback server answering 307 to another loopback server.
REAL_CURL = shutil.which('curl')


@pytest.mark.skipif(REAL_CURL is None, reason='no curl on this machine')
@pytest.mark.parametrize('curlrc', ['location\n', '--location\nmax-redirs = 3\n', 'proxy = "{target}"\n'])
def test_the_real_curl_reads_no_curlrc_and_sends_the_password_nowhere_else(
        http_server, redirecting, tmp_path, monkeypatch, curlrc):
    """A .curlrc that follows redirects (307 resends the body, the password) or names a proxy (which would receive
    the request, password included): with -q first, real curl reads neither and only the 307 server is reached."""
    home = tmp_path / 'home'
    home.mkdir()
    (home / '.curlrc').write_text(curlrc.format(target=http_server[0]))
    monkeypatch.setenv('HOME', str(home))
    for variable in ('CURL_HOME', 'XDG_CONFIG_HOME', 'http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY',
                     'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'):
        monkeypatch.delenv(variable, raising=False)
    client = PermanentTokenClient(CurlTransport(ExecTarget(), redirecting[0], timeout=10, curl=REAL_CURL))
    with raises_code('redirect_refused') as caught:
        client.create('a@b.c', SECRET)
    assert SECRET not in str(caught.value)
    assert [(entry['method'], json.loads(entry['body'])['password']) for entry in redirecting[1]] == [('POST', SECRET)]
    assert http_server[1] == []  # neither the redirect's target nor the .curlrc's proxy saw anything
