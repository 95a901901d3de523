# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the plugin tests share: the simulators of tests/simulators and the fake container runtimes of tests/harness/fakes.

``jms`` and ``df`` are the JumpServer and DeepFlow simulators served in-process on 127.0.0.1, reset for each test:
fresh state, no faults, an empty request log. One server of each serves the whole session.
``fake_runtime(state)`` points tests/harness/fakes's fake docker, podman and kubectl (given by explicit path: FAKE_BIN) at a
world of containers and pods. ``run_module(module, args)`` runs a module's main() and returns its JSON result (the
module tests, and the cross-cutting ones here: test_failures, test_dest_symlinks, test_results_vocabulary...).
The tests import the constants and classes from here by their full name.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sys
import threading

import pytest

SIMULATORS = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', 'simulators'))
FAKE_BIN = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', 'harness', 'fakes'))


class Simulator:
    """A simulator app and the URL of each of its listeners. Reset, faults and the request log are the app's own
    control methods (tests/simulators/_base.py), the ones its /_sim HTTP API runs: same defaults everywhere."""

    def __init__(self, app, urls):
        self.app = app
        self.urls = urls

    def reset(self):
        self.app.reset(state=True)

    def clear_log(self):
        self.app.clear_log()

    def requests(self, method=None, path=None):
        return self.app.find_requests(method=method, path=path)

    def fault(self, **fault):
        return self.app.add_fault(**fault)


class JumpServer(Simulator):

    @property
    def url(self):
        return self.urls['main']

    def logins(self):
        return self.requests('POST', '/api/v1/authentication/auth/')


class DeepFlow(Simulator):
    """fauths and fuser: one app, two listeners, one log (entries carry "service")."""

    @property
    def url(self):
        return self.urls['fauths']

    @property
    def fuser_url(self):
        return self.urls['fuser']

    def log(self, service=None):
        found = self.app.find_requests(**({} if service is None else {'service': service}))
        return [(entry['method'], entry['path'], entry['status']) for entry in found]

    def bodies(self):
        return json.dumps([entry['body'] for entry in self.app.find_requests()])


def _serve(handle_cls, module_name, app_name, listeners, argv):
    """Serve the simulator app ``module_name.app_name`` on 127.0.0.1, one thread per listener; yield its handle."""
    sys.path.insert(0, SIMULATORS)
    import _base  # pylint: disable=import-error
    app_cls = getattr(__import__(module_name), app_name)
    app = app_cls(_base.build_parser(app_cls).parse_args(argv))
    servers, urls = [], {}
    for listener in listeners:
        server = _base.SimServer('127.0.0.1', 0, app, listener)
        app.endpoints[listener] = (server.scheme, '127.0.0.1', server.server_address[1])
        threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True).start()
        servers.append(server)
        urls[listener] = 'http://127.0.0.1:%d' % server.server_address[1]
    yield handle_cls(app, urls)
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope='session')
def jms_server():
    # 1500 users: more than one page of the largest page size (1000), for pagination.
    yield from _serve(JumpServer, 'jumpserver', 'JumpServerSim', ['main'], ['--bulk-users', '1500'])


@pytest.fixture
def jms(jms_server):
    jms_server.reset()
    return jms_server


@pytest.fixture(scope='session')
def deepflow_server():
    yield from _serve(DeepFlow, 'deepflow', 'DeepFlowSim', ['fauths', 'fuser'], [])


@pytest.fixture
def df(deepflow_server):
    deepflow_server.reset()
    return deepflow_server


class FakeRuntime:
    """The world tests/harness/fakes's fakes see (``state``: containers, pods, ...; save() after changing it) and their call log."""

    def __init__(self, directory, state):
        self.path = os.path.join(str(directory), 'state.json')
        self.log = os.path.join(str(directory), 'calls.jsonl')
        self.state = dict(state, log=self.log)
        self.save()

    def save(self):
        with open(self.path, 'w') as handle:
            json.dump(self.state, handle)

    def calls(self):
        """Every call of a fake, in order: its argv and what it did."""
        if not os.path.exists(self.log):
            return []
        with open(self.log) as handle:
            return [json.loads(line) for line in handle]


@pytest.fixture
def fake_runtime(tmp_path, monkeypatch):
    """``fake_runtime(state)``: a FakeRuntime in tmp_path, and OPSAUTH_FAKE_STATE pointing the fakes at it."""

    def make(state):
        runtime = FakeRuntime(tmp_path, state)
        monkeypatch.setenv('OPSAUTH_FAKE_STATE', runtime.path)
        return runtime
    return make


@pytest.fixture(scope='session')
def jms_v3_server():
    """The JumpServer simulator as v3.10 LTS (--jumpserver-version 3)."""
    yield from _serve(JumpServer, 'jumpserver', 'JumpServerSim', ['main'], ['--bulk-users', '5', '--jumpserver-version', '3'])


@pytest.fixture(params=[4, 3], ids=['v4', 'v3'])
def jms_any(request):
    """The JumpServer simulator as v4 and, in a second run of the test, as v3.10."""
    server = request.getfixturevalue('jms_server' if request.param == 4 else 'jms_v3_server')
    server.reset()
    return server


try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    import contextlib

    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args):
        old = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = old


@pytest.fixture
def run_module(capsys):
    """Run a module's main() with arguments; return its JSON result (failed or not)."""

    def run(module, args, check_mode=False, diff=False):
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        return json.loads(capsys.readouterr().out)
    return run
