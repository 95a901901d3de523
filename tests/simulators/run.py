# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start, stop and inspect the API simulators (JumpServer v4 over HTTP and HTTPS, JumpServer v3.10 over HTTP,
DeepFlow fauths + fuser).

  python tests/simulators/run.py start  --state-dir DIR [--jms-arg=--token-ttl=5 ...] [--deepflow-arg=--access-ttl=2 ...]
  python tests/simulators/run.py stop   --state-dir DIR
  python tests/simulators/run.py status --state-dir DIR
  python tests/simulators/run.py endpoint --state-dir DIR KEY             # one value of endpoints.json, e.g. jms_url
  python tests/simulators/run.py reset    --state-dir DIR [--sim NAME] [--state]
  python tests/simulators/run.py fault    --state-dir DIR --sim NAME '{"path": "/login", "kind": "html"}'
  python tests/simulators/run.py requests --state-dir DIR --sim NAME [--count] [FIELD=VALUE ...]
  python tests/simulators/run.py issued   --state-dir DIR --sim NAME       # every secret it handed out, one a line
  python tests/simulators/run.py state    --state-dir DIR --sim NAME       # its users, tokens, lockouts... as JSON
  python tests/simulators/run.py exec     --state-dir DIR [start arguments] -- CMD [ARG...]

``start`` writes DIR/pids.json and DIR/endpoints.json and prints the endpoints:
{"jms_url", "jms_tls_url", "jms_v3_url", "jms_ca_path", "deepflow_url", "deepflow_fauths_url", "deepflow_fuser_url"}.
``jms_v3_url`` is a second JumpServer simulator started with ``--jumpserver-version 3`` (JumpServer v3.10 LTS).
``deepflow_url`` is the controller-style base (external paths ``/api/fauths/login``...), ``deepflow_fauths_url``
the internal fauths base (``/login``...): both are served by the same listener. Each simulator logs its requests
to DIR/<name>.requests.jsonl and its output to DIR/<name>.out. Importable: ``start(state_dir, jms_args=(),
deepflow_args=()) -> dict`` and ``stop(state_dir)``.

``reset``, ``fault`` and ``requests`` talk to running simulators through their /_sim API (which runs the simulators'
own control methods, tests/simulators/_base.py). NAME is an endpoint key without ``_url`` (jms, jms_tls, jms_v3,
deepflow); ``reset`` without --sim resets every simulator (``--state`` also reseeds users, tokens and lockouts).
``requests`` prints {"count", "requests"} (or only the count): the filters are the /_sim/requests query fields
(method, path, path_prefix, status, since, or any logged field such as service).
``exec`` starts the simulators, runs CMD with SIM_STATE_DIR (the state directory), SIM_ENDPOINTS (the endpoints.json
file, usable as ``ansible-playbook -e @FILE``) and SIM_<KEY> (each endpoint, e.g. SIM_JMS_URL) in its environment,
stops them whatever happens, and exits with CMD's status. (Not OPSAUTH_SIM_STATE: that one tells the fakes of
tests/harness/fakes to build their default world, which only the demo wants.)
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
import urllib.error
import urllib.parse
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


def endpoints(state_dir):
    """endpoints.json of running simulators; RuntimeError when there is none."""
    found = _read_json(os.path.join(os.path.abspath(state_dir), 'endpoints.json'))
    if not found or not running(state_dir):
        raise RuntimeError('no simulators running from %s: start them first' % state_dir)
    return found


def control(state_dir, sim, path, body=None, method=None):
    """Call the /_sim API of the simulator NAME (an endpoint key without _url); returns the JSON answer."""
    found = endpoints(state_dir)
    if sim + '_url' not in found:
        raise RuntimeError('unknown simulator %r: one of %s' % (
            sim, ', '.join(sorted(key[:-4] for key in found if key.endswith('_url') and key != 'deepflow_fauths_url'))))
    url = found[sim + '_url'] + '/_sim/' + path
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method or ('GET' if data is None else 'POST'),
                                     headers={'Content-Type': 'application/json'})
    context = ssl.create_default_context(cafile=found.get('jms_ca_path')) if url.startswith('https') else None
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as answer:
            return json.loads(answer.read().decode())
    except urllib.error.HTTPError as exc:
        raise RuntimeError('%s: HTTP %s %s' % (url, exc.code, exc.read().decode('utf-8', 'replace').strip()))


SIMULATOR_NAMES = ('jms', 'jms_tls', 'jms_v3', 'deepflow')


def reset(state_dir, sims=SIMULATOR_NAMES, state=False):
    return {sim: control(state_dir, sim, 'reset', {'state': state}) for sim in sims}


def fault(state_dir, sim, spec):
    return control(state_dir, sim, 'faults', spec)['fault']


def requests_log(state_dir, sim, filters=None):
    return control(state_dir, sim, 'requests?' + urllib.parse.urlencode(sorted((filters or {}).items())))


def run_with_simulators(state_dir, command, jms_args=(), deepflow_args=()):
    """Start the simulators, run COMMAND with their endpoints in its environment, stop them; COMMAND's status."""
    stop(state_dir)
    found = start(state_dir, jms_args, deepflow_args)
    env = dict(os.environ, SIM_STATE_DIR=os.path.realpath(state_dir),
               SIM_ENDPOINTS=os.path.join(os.path.abspath(state_dir), 'endpoints.json'))
    env.update(('SIM_' + key.upper(), value) for key, value in found.items())
    process = None

    def forward(signum, dummy_frame):  # a stopped CI job or make: CMD gets the signal, the simulators stop after it
        if process is not None:
            process.send_signal(signum)
    previous = {signum: signal.signal(signum, forward) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        process = subprocess.Popen(command, env=env)
        return process.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        stop(state_dir)


def _parser():
    parser = argparse.ArgumentParser(description='Start, stop and drive the opsauth.tokens API simulators.')
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--state-dir', required=True, help='where pids.json, endpoints.json, logs and the TLS certificate live')
    starting = argparse.ArgumentParser(add_help=False)
    starting.add_argument('--jms-arg', action='append', default=[], help='extra flag for every JumpServer simulator (use --jms-arg=--flag=value)')
    starting.add_argument('--deepflow-arg', action='append', default=[], help='extra flag for the DeepFlow simulator (use --deepflow-arg=--flag=value)')
    actions = parser.add_subparsers(dest='action', required=True)
    actions.add_parser('start', parents=[common, starting], help='start the simulators, print the endpoints')
    actions.add_parser('stop', parents=[common], help='stop them')
    actions.add_parser('status', parents=[common], help='exit 3 unless all of them are up and healthy')
    sub = actions.add_parser('endpoint', parents=[common], help='print one value of endpoints.json')
    sub.add_argument('key', help='e.g. jms_url, deepflow_fuser_url, jms_ca_path')
    sub = actions.add_parser('reset', parents=[common], help='clear request logs and faults')
    sub.add_argument('--sim', action='append', choices=SIMULATOR_NAMES, help='this simulator only (repeatable; default: all)')
    sub.add_argument('--state', action='store_true', help='also reseed users, tokens, lockouts and throttles')
    sub = actions.add_parser('fault', parents=[common], help='add a fault (the /_sim/faults fields, as JSON)')
    sub.add_argument('--sim', required=True, choices=SIMULATOR_NAMES)
    sub.add_argument('spec', type=json.loads, help='e.g. \'{"method": "POST", "path": "/login", "kind": "html"}\'')
    sub = actions.add_parser('requests', parents=[common], help='print the request log, filtered')
    sub.add_argument('--sim', required=True, choices=SIMULATOR_NAMES)
    sub.add_argument('--count', action='store_true', help='print only how many requests match')
    sub.add_argument('filters', nargs='*', metavar='FIELD=VALUE', help='method=POST, path=/login, since=SEQ, ...')
    sub = actions.add_parser('issued', parents=[common], help='print every secret the simulator handed out, one a line')
    sub.add_argument('--sim', required=True, choices=SIMULATOR_NAMES)
    sub = actions.add_parser('state', parents=[common], help="print the simulator's state (users, tokens...) as JSON")
    sub.add_argument('--sim', required=True, choices=SIMULATOR_NAMES)
    sub = actions.add_parser('exec', parents=[common, starting], help='start them, run CMD, stop them')
    sub.add_argument('command', nargs=argparse.REMAINDER, help='-- CMD [ARG...]')
    return parser


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.action == 'exec':
            command = args.command[1:] if args.command[:1] == ['--'] else args.command
            if not command:
                parser.error('exec needs a command: exec --state-dir DIR -- CMD [ARG...]')
            return run_with_simulators(args.state_dir, command, args.jms_arg, args.deepflow_arg)
        if args.action == 'start':
            result = start(args.state_dir, args.jms_arg, args.deepflow_arg)
        elif args.action == 'stop':
            result = {'stopped': stop(args.state_dir)}
        elif args.action == 'status':
            result = status(args.state_dir)
        elif args.action == 'endpoint':
            found = endpoints(args.state_dir)
            if args.key not in found:
                raise RuntimeError('no endpoint %r: one of %s' % (args.key, ', '.join(sorted(found))))
            sys.stdout.write('%s\n' % found[args.key])
            return 0
        elif args.action == 'reset':
            result = reset(args.state_dir, args.sim or SIMULATOR_NAMES, args.state)
        elif args.action == 'issued':
            sys.stdout.writelines('%s\n' % secret for secret in control(args.state_dir, args.sim, 'issued')['secrets'])
            return 0
        elif args.action == 'state':
            result = control(args.state_dir, args.sim, 'state')
        elif args.action == 'fault':
            result = fault(args.state_dir, args.sim, args.spec)
        else:
            bad = [item for item in args.filters if '=' not in item]
            if bad:
                parser.error('filters are FIELD=VALUE, not %s' % ' '.join(bad))
            result = requests_log(args.state_dir, args.sim, dict(item.split('=', 1) for item in args.filters))
            if args.count:
                sys.stdout.write('%d\n' % result['count'])
                return 0
    except RuntimeError as exc:
        sys.stderr.write('error: %s\n' % exc)
        return 1
    sys.stdout.write(json.dumps(result, indent=2, sort_keys=True) + '\n')
    return 0 if args.action != 'status' or result['running'] else 3


if __name__ == '__main__':
    sys.exit(main())
