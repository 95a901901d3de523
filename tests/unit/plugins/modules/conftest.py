# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module tests run the real modules against the JumpServer simulator served in-process on 127.0.0.1."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sys
import threading

import pytest

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

SIMULATORS = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'simulators'))


class JumpServerSim:
    """The simulator app and its URL; ``requests(path=...)`` reads its request log."""

    def __init__(self, app, url):
        self.app = app
        self.url = url

    def reset(self):
        with self.app.lock:
            self.app.requests = []
            self.app.faults = []
            self.app.reset_state()

    def requests(self, method=None, path=None):
        with self.app.lock:
            return [entry for entry in self.app.requests
                    if (method is None or entry['method'] == method) and (path is None or entry['path'] == path)]

    def logins(self):
        return self.requests('POST', '/api/v1/authentication/auth/')


@pytest.fixture(scope='session')
def jms_server():
    sys.path.insert(0, SIMULATORS)
    import _base  # pylint: disable=import-error
    import jumpserver  # pylint: disable=import-error
    args = _base.build_parser(jumpserver.JumpServerSim).parse_args(['--bulk-users', '1500'])
    app = jumpserver.JumpServerSim(args)
    server = _base.SimServer('127.0.0.1', 0, app, 'main')
    app.endpoints['main'] = (server.scheme, '127.0.0.1', server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True)
    thread.start()
    yield JumpServerSim(app, 'http://127.0.0.1:%d' % server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture
def jms(jms_server):
    jms_server.reset()
    return jms_server


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
