# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start, stop and inspect the API simulators (JumpServer v4 over HTTP and HTTPS, JumpServer v3.10 over HTTP,
DeepFlow fauths + fuser).

  python tests/simulators/run.py start  --state-dir DIR [--jms-arg=--token-ttl=5 ...] [--deepflow-arg=--access-ttl=2 ...]
  python tests/simulators/run.py stop   --state-dir DIR
  python tests/simulators/run.py status --state-dir DIR

``start`` writes DIR/pids.json and DIR/endpoints.json and prints the endpoints:
{"jms_url", "jms_tls_url", "jms_v3_url", "jms_ca_path", "deepflow_url", "deepflow_fauths_url", "deepflow_fuser_url"}.
``jms_v3_url`` is a second JumpServer simulator started with ``--jumpserver-version 3`` (JumpServer v3.10 LTS).
``deepflow_url`` is the controller-style base (external paths ``/api/fauths/login``...), ``deepflow_fauths_url``
the internal fauths base (``/login``...): both are served by the same listener. Each simulator logs its requests
to DIR/<name>.requests.jsonl and its output to DIR/<name>.out. Importable: ``start(state_dir, jms_args=(),
deepflow_args=()) -> dict`` and ``stop(state_dir)``.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
START_TIMEOUT = 30
STOP_TIMEOUT = 5


def _specs(state_dir, jms_args, deepflow_args):
    """name -> (script, extra arguments, {endpoint key: port file}); the main port file is always <name>.port."""
    tls_dir = os.path.join(state_dir, 'tls')
    fuser_port = os.path.join(state_dir, 'deepflow_fuser.port')
    return {
        'jms': ('jumpserver.py', list(jms_args), {'jms_url': 'jms.port'}),
        'jms_tls': ('jumpserver.py', ['--tls', '--cert-dir', tls_dir] + list(jms_args), {'jms_tls_url': 'jms_tls.port'}),
        'jms_v3': ('jumpserver.py', list(jms_args) + ['--jumpserver-version', '3'], {'jms_v3_url': 'jms_v3.port'}),
        'deepflow': ('deepflow.py', ['--fuser-port', '0', '--fuser-port-file', fuser_port] + list(deepflow_args),
                     {'deepflow_url': 'deepflow.port', 'deepflow_fuser_url': 'deepflow_fuser.port'}),
    }


def _alive(pid):
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False  # our own child, just reaped
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_simulator(pid, script):
    """Guard against a recycled pid: the process command line must name our script."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as stream:
            return os.path.join(HERE, script).encode() in stream.read()
    except FileNotFoundError:
        return not os.path.isdir('/proc') and _alive(pid)
    except OSError:
        return False


def _read_json(path):
    try:
        with open(path) as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return None


def _write_json(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w') as stream:
        json.dump(data, stream, indent=2, sort_keys=True)
        stream.write('\n')
    os.replace(tmp, path)


def _health(url, ca_path=None):
    try:
        context = ssl.create_default_context(cafile=ca_path) if url.startswith('https') else None
        with urllib.request.urlopen(url + '/_sim/health', timeout=2, context=context) as response:
            return json.loads(response.read().decode()).get('ok') is True
    except (OSError, ValueError):
        return False


def _read_port(path):
    try:
        with open(path) as stream:
            text = stream.read()
    except OSError:
        return None
    return int(text) if text.endswith('\n') and text.strip().isdigit() else None


def running(state_dir):
    """{name: {"pid", "script"}} of the recorded simulators that are still alive."""
    pids = _read_json(os.path.join(state_dir, 'pids.json')) or {}
    return {name: info for name, info in pids.items() if _is_simulator(info['pid'], info['script'])}


def start(state_dir, jms_args=(), deepflow_args=()):
    """Start the three simulators in the background; returns the endpoints dict."""
    state_dir = os.path.abspath(state_dir)
    os.makedirs(state_dir, exist_ok=True)
    if running(state_dir):
        raise RuntimeError('simulators already running from %s; stop them first' % state_dir)
    specs = _specs(state_dir, jms_args, deepflow_args)
    for dummy, dummy_args, port_files in specs.values():
        for name in port_files.values():
            if os.path.exists(os.path.join(state_dir, name)):
                os.unlink(os.path.join(state_dir, name))
    pids = {}
    try:
        for name, (script, extra, port_files) in specs.items():
            command = [sys.executable, os.path.join(HERE, script), '--host', '127.0.0.1', '--port', '0',
                       '--port-file', os.path.join(state_dir, name + '.port'),
                       '--log-file', os.path.join(state_dir, name + '.requests.jsonl')] + extra
            with open(os.path.join(state_dir, name + '.out'), 'ab') as output:
                process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                           start_new_session=True, cwd=state_dir)
            pids[name] = {'pid': process.pid, 'script': script}
            _write_json(os.path.join(state_dir, 'pids.json'), pids)
        endpoints = _wait(state_dir, specs, pids)
    except BaseException:
        stop(state_dir)
        raise
    _write_json(os.path.join(state_dir, 'endpoints.json'), endpoints)
    return endpoints


def _wait(state_dir, specs, pids):
    ca_path = os.path.join(state_dir, 'tls', 'cert.pem')
    endpoints = {'jms_ca_path': ca_path}
    deadline = time.time() + START_TIMEOUT
    for name, (dummy, dummy_args, port_files) in specs.items():
        for key, port_file in sorted(port_files.items()):
            scheme = 'https' if key == 'jms_tls_url' else 'http'
            while True:
                port = _read_port(os.path.join(state_dir, port_file))
                if port and _health('%s://127.0.0.1:%d' % (scheme, port), ca_path):
                    endpoints[key] = '%s://127.0.0.1:%d' % (scheme, port)
                    break
                if not _alive(pids[name]['pid']):
                    raise RuntimeError('simulator %s exited early; see %s' % (name, os.path.join(state_dir, name + '.out')))
                if time.time() > deadline:
                    raise RuntimeError('simulator %s did not come up within %ss' % (name, START_TIMEOUT))
                time.sleep(0.05)
    endpoints['deepflow_fauths_url'] = endpoints['deepflow_url']
    return endpoints


def stop(state_dir):
    """SIGTERM every recorded simulator, SIGKILL after 5 s, remove pids.json; returns the names stopped."""
    state_dir = os.path.abspath(state_dir)
    alive = running(state_dir)
    for info in alive.values():
        try:
            os.kill(info['pid'], signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.time() + STOP_TIMEOUT
    while any(_alive(info['pid']) for info in alive.values()) and time.time() < deadline:
        time.sleep(0.05)
    for info in alive.values():
        if _alive(info['pid']):
            try:
                os.kill(info['pid'], signal.SIGKILL)
            except ProcessLookupError:
                pass
            while _alive(info['pid']) and time.time() < deadline + STOP_TIMEOUT:
                time.sleep(0.05)
    if os.path.exists(os.path.join(state_dir, 'pids.json')):
        os.unlink(os.path.join(state_dir, 'pids.json'))
    return sorted(alive)


def status(state_dir):
    state_dir = os.path.abspath(state_dir)
    endpoints = _read_json(os.path.join(state_dir, 'endpoints.json')) or {}
    alive = running(state_dir)
    pids = _read_json(os.path.join(state_dir, 'pids.json')) or {}
    processes = {name: {'pid': info['pid'], 'alive': name in alive} for name, info in pids.items()}
    healthy = bool(alive) and len(alive) == len(pids) and all(
        _health(url, endpoints.get('jms_ca_path')) for key, url in endpoints.items() if key.endswith('_url'))
    return {'running': healthy, 'processes': processes, 'endpoints': endpoints if alive else {}}


def main(argv=None):
    parser = argparse.ArgumentParser(description='Start/stop the opsauth.tokens API simulators.')
    parser.add_argument('action', choices=('start', 'stop', 'status'))
    parser.add_argument('--state-dir', required=True, help='where pids.json, endpoints.json, logs and the TLS certificate live')
    parser.add_argument('--jms-arg', action='append', default=[], help='extra flag for every JumpServer simulator (use --jms-arg=--flag=value)')
    parser.add_argument('--deepflow-arg', action='append', default=[], help='extra flag for the DeepFlow simulator (use --deepflow-arg=--flag=value)')
    args = parser.parse_args(argv)
    if args.action == 'start':
        try:
            result = start(args.state_dir, args.jms_arg, args.deepflow_arg)
        except RuntimeError as exc:
            sys.stderr.write('error: %s\n' % exc)
            return 1
    elif args.action == 'stop':
        result = {'stopped': stop(args.state_dir)}
    else:
        result = status(args.state_dir)
    sys.stdout.write(json.dumps(result, indent=2, sort_keys=True) + '\n')
    return 0 if args.action != 'status' or result['running'] else 3


if __name__ == '__main__':
    sys.exit(main())
