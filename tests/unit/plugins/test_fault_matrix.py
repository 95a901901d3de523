# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault matrix (docs/security.md, "Fault matrix"): every row of fault_matrix.yml, run for real.

Each row runs one real module or lookup against the simulators of tests/simulators, served in-process on 127.0.0.1
(plain HTTP, and HTTPS with the certificates of _base.ensure_test_pki), through the real requests stack, and against
the fake docker/kubectl of tests/harness/fakes (by explicit path). The faults are the simulators' own (their /_sim/faults
entries), the token files are real files. Besides the row's own expected outcome, every row is held to the invariants
of the whole matrix (check_invariants): no password login after the server answered one with anything but success,
no create sent twice, no secret in any message, and a failure is one line with a code of docs/errors.md.

A row marked ``pending: <engineer>: <why>`` needs a fix that has not landed yet: it runs, and an unexpected pass is
reported (XPASS) so that the mark can be removed; its expected outcome is never weakened to make it pass.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import json
import os
import re
import signal
import socket
import ssl
import stat
import string
import subprocess
import sys
import threading
import time

import pytest
import requests

from ansible.errors import AnsibleError

from ansible_collections.opsauth.tokens.tests.unit.plugins.conftest import FAKE_BIN, SIMULATORS
from ansible_collections.opsauth.tokens.tests.unit.plugins.error_table import ERROR_CODES
from ansible_collections.opsauth.tokens.tests.unit.plugins.fault_matrix_doc import MATRIX_FILE, load_rows
# Fixtures shared with the module and lookup tests: pytest finds fixtures imported into a test module.
# (run_module is a fixture of conftest.py, beside this file.)
from ansible_collections.opsauth.tokens.tests.unit.plugins.lookup.conftest import (  # noqa: F401 pylint: disable=unused-import
    run_lookup, sims)

ROWS = load_rows()
# A row that takes longer than this is hung (a FIFO read, an endless body without a deadline): fail it, go on.
ROW_WATCHDOG = 90
# The passwords of the simulators' seed users: none may appear in a message.
KNOWN_PASSWORDS = ('Adm1n-Pass!', 'Alice-Pass-1', 'Mfa-Pass-1', 'Df-Admin-Pass-1', 'Ops-Pass-1', 'dev-pwd', 'User-Pass-1',
                   'Wrong-Pass-9', 'JBSWY3DPEHPK3PXP')
# Result keys that carry a credential on purpose (modules returning a token say so in notes: and are no_log'ed).
CREDENTIAL_KEYS = frozenset(['token', 'headers', 'access_token', 'refresh_token', 'access_key', 'pages'])
JMS_LOGIN_PATHS = ('/api/v1/authentication/auth/', '/api/v1/authentication/tokens/')
DF_LOGIN_PATHS = ('/login', '/api/fauths/login')
# Requests that create something on the server: never sent twice in one row.
CREATE_PATHS = (('jms', 'POST', '/api/v1/users/users/'), ('jms', 'POST', '/api/v1/authentication/access-keys/'),
                ('df', 'POST', '/v1/user/permanent_token'))
ENVIRONMENT_CLEARED = ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'NETRC', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy',
                       'https_proxy', 'all_proxy', 'NO_PROXY', 'no_proxy')
PADDING = 20 * 1024 * 1024  # an oversized token file: far above any token file (a few hundred bytes)


class RowTimeout(Exception):
    pass


# --- the world a row runs in -------------------------------------------------------------------------------------------

def _closed_port():
    """A loopback port nothing listens on (bound, then closed): connections to it are refused."""
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture(scope='session')
def pki(tmp_path_factory):
    sys.path.insert(0, SIMULATORS)
    import _base  # pylint: disable=import-error
    return _base.ensure_test_pki(str(tmp_path_factory.mktemp('pki')))


@pytest.fixture(scope='session')
def tls_urls(jms_server, deepflow_server, pki):
    """HTTPS listeners of the same simulator apps, one per certificate kind: {"jms_tls_good": url, ...}."""
    import _base  # pylint: disable=import-error
    urls, servers = {}, []
    for prefix, sim, listener in (('jms', jms_server, 'main'), ('df', deepflow_server, 'fauths')):
        for kind in _base.TEST_PKI_KINDS:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*pki[kind])
            server = _base.SimServer('127.0.0.1', 0, sim.app, listener, context)
            threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True).start()
            servers.append(server)
            urls['%s_tls_%s' % (prefix, kind)] = 'https://127.0.0.1:%d' % server.server_address[1]
    yield urls
    for server in servers:
        server.shutdown()
        server.server_close()


def base_world(jms, df):
    """The fake containers and pods every exec row starts from (tests/harness/fakes/_fake_runtime.py describes the format)."""
    hosts = {'fuser:20824': df.fuser_url, 'fauths:20822': df.url}
    core_labels = {'app.kubernetes.io/name': 'jumpserver', 'app.jumpserver.org/name': 'jms-core'}
    return {
        'containers': {'jms_core': {'status': 'running', 'root': 'jms_core', 'jms_url': jms.url},
                       'jms_stopped': {'status': 'exited', 'root': 'jms_core', 'jms_url': jms.url},
                       'df-front-end': {'status': 'running', 'root': 'front_end', 'hosts': hosts}},
        'kubernetes': {
            'contexts': ['kind-opsauth'], 'current_context': 'kind-opsauth',
            'pods': [
                {'name': 'jms-core-0', 'namespace': 'jumpserver', 'labels': core_labels, 'containers': ['core'],
                 'root': 'jms_core', 'jms_url': jms.url},
                {'name': 'jms-core-crashed', 'namespace': 'jumpserver-broken', 'labels': core_labels,
                 'containers': ['core'], 'stopped_containers': ['core'], 'root': 'jms_core', 'jms_url': jms.url},
                {'name': 'front-end-6c9d7b8f5-abcde', 'namespace': 'deepflow', 'labels': {'app': 'front-end'},
                 'containers': ['front-end'], 'root': 'front_end', 'hosts': hosts},
                {'name': 'front-end-old', 'namespace': 'deepflow', 'labels': {'app': 'front-end'}, 'phase': 'Failed'},
            ]}}


def merge(base, patch):
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


def substitute(value, names):
    """``$name`` placeholders of the row (URLs, paths) replaced, in every string of a nested value."""
    if isinstance(value, str):
        return string.Template(value).safe_substitute(names)
    if isinstance(value, list):
        return [substitute(item, names) for item in value]
    if isinstance(value, dict):
        return dict((key, substitute(item, names)) for key, item in value.items())
    return value


class Row:
    """One row of the matrix being run: its placeholders, its simulators, its steps, its result."""

    def __init__(self, spec, jms, df, tmp_path, tls_urls, pki, run_module, fake_runtime):
        self.spec = spec
        self.sims = {'jms': jms, 'df': df}
        self.tmp_path = tmp_path
        self.dest = str(tmp_path / 'tokens' / 'token.json')
        os.makedirs(os.path.dirname(self.dest), mode=0o700)
        self.names = dict(tls_urls, jms=jms.url, df=df.url, fuser=df.fuser_url, ca=pki['ca'], dest=self.dest,
                          fake_bin=FAKE_BIN, refused='http://127.0.0.1:%d' % _closed_port(),
                          dns='http://opsauth-matrix.invalid', missing_dir=str(tmp_path / 'no-such-dir' / 'token.json'),
                          df_hostport=df.url.split('://', 1)[1], jms_tls_bundle_other=pki['self_signed'][0])
        self._run_module = run_module
        self.runtime = None
        if spec.get('world') is not None or spec['target'] in ('module jms_private_token',) or \
                'runtime' in (spec.get('args') or {}):
            self.runtime = fake_runtime(merge(base_world(jms, df), substitute(spec.get('world') or {}, self.names)))

    # ---- running the target ---------------------------------------------------------------------------------------
    def args(self, extra=None):
        """The row's options with ``extra`` on top; an option set to null is left out."""
        args = substitute(dict(self.spec.get('args') or {}, **(extra or {})), self.names)
        return dict((name, value) for name, value in args.items() if value is not None)

    def run(self, args, check_mode=False):
        kind, name = self.spec['target'].split()
        if kind == 'module':
            module = importlib.import_module('ansible_collections.opsauth.tokens.plugins.modules.' + name)
            return self._run_module(module, args, check_mode=check_mode)
        try:
            return {'failed': False, 'values': run_lookup('opsauth.tokens.' + name, None, None, **args)}
        except AnsibleError as exc:
            return {'failed': True, 'msg': str(exc), 'exception_type': type(exc).__name__}

    def crash_run(self, args):
        """Run the module in a child process that is killed (SIGKILL) when it renames its finished token file."""
        name = self.spec['target'].split()[1]
        args_file = str(self.tmp_path / 'crash-args.json')
        with open(args_file, 'w') as handle:
            json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
        code = ('import os, runpy, signal, sys\n'
                'def crash(*a, **k): os.kill(os.getpid(), signal.SIGKILL)\n'
                'os.replace = os.rename = crash\n'
                'sys.argv = ["%s", sys.argv[1]]\n'
                'runpy.run_module("ansible_collections.opsauth.tokens.plugins.modules.%s", run_name="__main__")\n' % (name, name))
        collections_root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([collections_root] + sys.path))
        proc = subprocess.run([sys.executable, '-c', code, args_file], env=env, capture_output=True, timeout=60, check=False)
        assert proc.returncode == -signal.SIGKILL, 'the crash step did not reach the rename: %r' % (proc.stdout + proc.stderr)[-600:]

    def settle(self):
        """Wait until the simulators have answered every request (a delayed answer is logged once it is sent)."""
        for sim in self.sims.values():
            while sim.app.in_flight:
                time.sleep(0.05)

    # ---- steps before the run ------------------------------------------------------------------------------------
    def step(self, step):
        (what, value), = step.items()
        value = substitute(value, self.names)
        if what == 'run':
            result = self.run(self.args(value or {}))
            assert not result.get('failed'), 'a preparing run failed: %s' % result.get('msg')
        elif what == 'crash_run':
            self.crash_run(self.args(value or {}))
        elif what == 'file':
            self.make_file(value)
        elif what == 'chmod':
            os.chmod(self.dest, int(str(value), 8))
        elif what == 'expire':
            requests.post(self.sims[value].url + '/_sim/expire_tokens', json={}, timeout=10).raise_for_status()
        elif what == 'rotate_refresh':
            # Another holder of the same token file refreshed first: the file's refresh token is now a rotated one.
            with open(self.dest) as handle:
                refresh_token = json.load(handle)['refresh_token']
            answer = requests.post(self.sims['df'].url + '/api/fauths/refresh_token', timeout=10,
                                   json={'grant_type': 'refresh_token', 'refresh_token': refresh_token})
            assert answer.json()['OPT_STATUS'] == 'SUCCESS'
        elif what == 'fault':
            fault = dict(value)
            self.sims[fault.pop('sim')].fault(**fault)
        else:
            raise AssertionError('unknown step %r in row %s' % (what, self.spec['id']))

    def make_file(self, kind):
        if kind == 'fifo':
            os.mkfifo(self.dest, 0o600)
            return
        content = {
            'corrupt': b'{"token": "0123456789abcdef", "expires_at": ',
            'empty': b'',
            'binary': b'\xff\xfe\x00\x01garbage\x00',
            'oversized': b'{"pad": "' + b' ' * PADDING + b'"}\n',
        }[kind]
        fd = os.open(self.dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'wb') as handle:
            handle.write(content)


# --- what every row must hold --------------------------------------------------------------------------------------------

def identity(entry):
    body = entry.get('body') if isinstance(entry.get('body'), dict) else {}
    if not body.get('password'):
        return None  # the second POST of an MFA or login-confirm flow carries no password: not a password login
    return body.get('username') or body.get('email')


def password_logins(sims):
    logins = []
    for name, paths in (('jms', JMS_LOGIN_PATHS), ('df', DF_LOGIN_PATHS)):
        for entry in sims[name].requests('POST'):
            if entry['path'] in paths and identity(entry):
                logins.append((name, identity(entry), entry['status']))
    return logins


def check_invariants(row, result, captured):
    """The matrix's global invariants, for every row whatever its own expectation."""
    failures = []
    # 1. Never a password login after the server answered one for the same identity with anything but success.
    answered = {}
    for sim, who, status in password_logins(row.sims):
        if (sim, who) in answered and answered[(sim, who)] not in (200, 201):
            failures.append('password login of %s repeated after HTTP %s' % (who, answered[(sim, who)]))
        answered[(sim, who)] = status
    # 2. Never a create sent twice.
    for sim, method, path in CREATE_PATHS:
        sent = len(row.sims[sim].requests(method, path))
        if sent > 1:
            failures.append('%s %s sent %d times' % (method, path, sent))
    # 3. No secret in any message: every secret the simulators ever issued, and the seed passwords.
    secrets = set(KNOWN_PASSWORDS) | set(row.spec.get('secrets') or ())
    for sim in row.sims.values():
        with sim.app.lock:
            secrets.update(sim.app.issued)
    exposed = dict((key, value) for key, value in result.items() if key not in CREDENTIAL_KEYS and key != 'values')
    text = json.dumps(exposed) + captured
    leaked = sorted(secret for secret in secrets if secret and secret in text)
    if leaked:
        failures.append('secret(s) in the result or output: %s' % ', '.join(value[:6] + '...' for value in leaked))
    # 4. A failure is one clear line, never a traceback.
    if result.get('failed'):
        msg = result.get('msg') or ''
        if not msg.strip() or '\n' in msg.strip() or 'Traceback' in msg:
            failures.append('the failure is not one line: %r' % msg[:300])
    # 5. A failure has a code of docs/errors.md: a module's error_code, a lookup's [code] after its name.
        code = failure_code(row, result)
        if code not in ERROR_CODES:
            failures.append('the failure has no code of docs/errors.md (%r)' % code)
    return failures


def failure_code(row, result):
    """The code of a failed run: a module's error_code, the [code] of a lookup's message."""
    if row.spec['target'].startswith('module '):
        return result.get('error_code')
    match = re.match(r'^opsauth\.tokens\.\w+: \[(\w+)\] ', result.get('msg') or '')
    return match.group(1) if match else None


def check_expected(row, result):
    expect = row.spec['expect']
    failures = []
    outcome = 'failed' if result.get('failed') else 'ok'
    if outcome != expect['outcome']:
        failures.append('outcome %s, expected %s (msg: %s)' % (outcome, expect['outcome'], result.get('msg')))
    if 'msg' in expect and not re.search(expect['msg'], result.get('msg') or '', re.I):
        failures.append('msg %r does not match %r' % (result.get('msg'), expect['msg']))
    if 'code' in expect and failure_code(row, result) != expect['code']:
        failures.append('code %r, expected %r' % (failure_code(row, result), expect['code']))
    if 'changed' in expect and result.get('changed') != expect['changed']:
        failures.append('changed=%r, expected %r' % (result.get('changed'), expect['changed']))
    for key, value in (expect.get('result') or {}).items():
        got = result.get(key)
        if value == '<present>' and not got:
            failures.append('%s missing from the result' % key)
        elif value == '<absent>' and key in result:
            failures.append('%s is in the result' % key)
        elif value not in ('<present>', '<absent>') and got != value:
            failures.append('%s=%r, expected %r' % (key, got, value))
    for sim, counts in (expect.get('requests') or {}).items():
        for what, count in counts.items():
            method, path = what.split(' ', 1)
            entries = [entry for entry in row.sims[sim].requests(method if method != '*' else None)
                       if entry['path'] == path or (path.endswith('*') and entry['path'].startswith(path[:-1]))]
            if len(entries) != count:
                failures.append('%s: %d x %s, expected %d' % (sim, len(entries), what, count))
    for sim in expect.get('no_requests') or []:
        if row.sims[sim].requests():
            failures.append('%s got %d request(s), expected none' % (sim, len(row.sims[sim].requests())))
    if 'file' in expect:
        failures.extend(check_file(row.dest, expect['file']))
    return failures


def check_file(path, expect):
    if expect == 'absent':
        return [] if not os.path.lexists(path) else ['%s exists' % path]
    if not os.path.lexists(path):
        return ['%s does not exist' % path]
    info = os.lstat(path)
    failures = []
    if expect.get('mode') and stat.S_IMODE(info.st_mode) != int(expect['mode'], 8):
        failures.append('mode %o, expected %s' % (stat.S_IMODE(info.st_mode), expect['mode']))
    if expect.get('json'):
        try:
            with open(path) as handle:
                data = json.load(handle)
            if not isinstance(data, dict) or not data:
                failures.append('%s holds no token object' % path)
        except (OSError, ValueError) as exc:
            failures.append('%s is not a JSON token file: %s' % (path, exc))
    leftovers = [name for name in os.listdir(os.path.dirname(path)) if name != os.path.basename(path)]
    if expect.get('alone') and leftovers:
        failures.append('left beside the token file: %s' % ', '.join(leftovers))
    return failures


def _alarm(signum, frame):
    raise RowTimeout('the row did not finish in time (watchdog)')


def _param(row):
    marks = [pytest.mark.xfail(reason=row['pending'], strict=False)] if row.get('pending') else []
    return pytest.param(row, id=row['id'], marks=marks)


@pytest.mark.parametrize('spec', [_param(row) for row in ROWS])
def test_fault_matrix(spec, sims, tmp_path, tls_urls, pki, run_module, fake_runtime, monkeypatch, capsys):
    jms, df = sims['jms'], sims['deepflow']
    # The machine's own CA bundle, .netrc and proxies would decide some rows; a row that tests them sets them (env).
    for name in ENVIRONMENT_CLEARED:
        monkeypatch.delenv(name, raising=False)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(spec.get('watchdog') or ROW_WATCHDOG)
    try:
        row = Row(spec, jms, df, tmp_path, tls_urls, pki, run_module, fake_runtime)
        for name, value in (spec.get('env') or {}).items():
            monkeypatch.setenv(name, substitute(value, row.names))
        for step in spec.get('steps') or []:
            row.step(step)
        capsys.readouterr()
        for sim in row.sims.values():
            sim.clear_log()
        for fault in spec.get('faults') or []:
            fault = substitute(dict(fault), row.names)
            row.sims[fault.pop('sim')].fault(**fault)
        result = row.run(row.args(), check_mode=spec.get('check_mode', False))
        captured = capsys.readouterr()
        row.settle()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    failures = check_expected(row, result) + check_invariants(row, result, captured.out + captured.err)
    assert not failures, '%s (%s): %s' % (spec['id'], spec['fault'], '; '.join(failures))


def test_every_row_is_well_formed():
    targets = set()
    for row in ROWS:
        assert set(row) <= {'id', 'target', 'fault', 'args', 'steps', 'faults', 'world', 'env', 'check_mode', 'expect',
                            'pending', 'summary', 'secrets', 'watchdog'}, row['id']
        assert row['expect']['outcome'] in ('ok', 'failed'), row['id']
        assert row.get('summary'), '%s: every row says its expected outcome in words (docs/security.md)' % row['id']
        # A failure names its code (docs/errors.md): what a task would match on.
        assert (row['expect']['outcome'] == 'failed') == (row['expect'].get('code') in ERROR_CODES), row['id']
        targets.add(row['target'])
    assert len(ROWS) >= 40 and len(set(row['id'] for row in ROWS)) == len(ROWS)
    # every module and lookup that talks HTTP or exec is in the matrix
    assert targets >= {'module jms_token', 'module jms_request', 'module jms_private_token', 'module deepflow_login',
                       'module deepflow_permanent_token', 'lookup jms_token', 'lookup deepflow_token'}
    assert MATRIX_FILE.endswith('fault_matrix.yml')
