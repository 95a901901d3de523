# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The token benchmarks of benchmarks/README.md that compare runs: what a cached lookup costs next to the env lookup,
and how many logins a large play of modules makes.

Usage: python benchmarks/tokens.py COLLECTION_DIR STATE_DIR [lookups|evaluation|modules|importtime ...]
       [--sizes 20:5,100:20] [--pairs 5] [--rounds 150] [--module-hosts 70] [--module-forks 10]

lookups    benchmarks/lookup_cost/playbook.yml on N local hosts with F forks (--sizes N:F[:TASKS],...; 10 tasks per
           host by default, 2 at 500 hosts so that a run takes seconds, not minutes): every task reads one variable,
           which is, by run, lookup('ansible.builtin.env', 'PATH') (the floor a lookup cannot go below), a jms_token
           lookup, a deepflow_token lookup, or a plain string (lookup_cost/modes/). The token cache is warmed in a
           cache_dir before the measured runs, and the simulators keep their tokens between runs, so a measured run
           makes no login (its first evaluation checks or refreshes the kept token once). Each round runs the four in
           rotating order; wall and CPU (ansible-playbook and all its workers, from getrusage) per run; the ratio of
           each token lookup run to the env run of the same round (and env to plain); medians over the rounds. Logins
           are read from the simulators' request logs (/_sim/requests), not from Ansible's output, and a measured run
           with a login is reported. JumpServer's throttle is off here.
modules    benchmarks/module_login/playbook.yml (password in module_defaults) and environment.yml (credentials only in
           the environment, as AWX injects them) on 70 local hosts with -f 10, JumpServer's default throttle on:
           logins per service, answers 429, hosts failed, wall time.
evaluation the CPU of one evaluation in a forked worker, without the rest of a run (lookup_cost/evaluation.py;
           --rounds, default 150): precise where a whole run's CPU varies by several per cent.
importtime the modules a cache hit imports, and their cumulative import time from python -X importtime
           (tests/harness/target_helpers/lookup_once.py), for each lookup.

Raw figures of every run (JSON) and Ansible's output are kept in STATE_DIR/benchmark_tokens/.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

PLAIN, ENV, JMS, DEEPFLOW = 'plain', 'env', 'jms', 'deepflow'
LOOKUPS = (JMS, DEEPFLOW)
JMS_LOGIN = ('POST', '/api/v1/authentication/auth/')
DEEPFLOW_LOGIN = ('POST', '/api/fauths/login')


class Simulators:
    def __init__(self, collection, state):
        sys.path.insert(0, os.path.join(collection, 'tests', 'simulators'))
        import run  # pylint: disable=import-error
        self.run, self.state, self.endpoints = run, state, None

    def start(self, jms_args=()):
        self.run.stop(self.state)
        self.endpoints = self.run.start(self.state, jms_args=list(jms_args))
        return self

    def stop(self):
        self.run.stop(self.state)

    def reset(self, state=True):
        """Clear the request logs; ``state`` also reseeds users and tokens (a kept token is then no longer valid)."""
        self.run.reset(self.state, (JMS, DEEPFLOW), state=state)

    def requests(self, which, method, path):
        filters = dict((key, value) for key, value in (('method', method), ('path', path)) if value)
        return self.run.requests_log(self.state, which, filters)['requests']


def inventory(results, hosts):
    path = os.path.join(results, 'inventory-%d.ini' % hosts)
    with open(path, 'w') as handle:
        handle.write('[bench]\nbench[001:%03d]\n\n[bench:vars]\nansible_connection=local\n'
                     'ansible_python_interpreter={{ ansible_playbook_python }}\n' % hosts)
    return path


def play(sims, results, name, playbook, hosts, forks, extra=(), env=None, reseed=True):
    """Run ansible-playbook once against freshly reset simulators (``reseed``: users and tokens too, else only the
    request log); its figures as a dict."""
    sims.reset(state=reseed)
    log = os.path.join(results, name + '.log')
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with open(log, 'w') as handle:
        rc = subprocess.call(['ansible-playbook', '-i', inventory(results, hosts), '-f', str(forks), playbook,
                              '-e', 'jms_url=' + sims.endpoints['jms_url'],
                              '-e', 'deepflow_url=' + sims.endpoints['deepflow_url']] + list(extra),
                             stdout=handle, stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {})))
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(log) as handle:
        recap = re.findall(r'^bench\d+\s+: ok=(\d+).*failed=(\d+)', handle.read(), re.M)
    jms = sims.requests('jms', *JMS_LOGIN)
    figures = dict(name=name, rc=rc, wall=round(wall, 2), cpu=round(cpu, 2), hosts=hosts, forks=forks,
                   jms_logins=len(jms), jms_throttled=sum(1 for r in jms if r['status'] == 429),
                   deepflow_logins=len(sims.requests('deepflow', *DEEPFLOW_LOGIN)),
                   jms_requests=len(sims.requests('jms', None, None)),
                   deepflow_requests=len(sims.requests('deepflow', None, None)),
                   hosts_failed=sum(1 for ok, failed in recap if int(failed)), hosts_seen=len(recap),
                   tasks_ok=sum(int(ok) for ok, failed in recap))
    with open(os.path.join(results, name + '.json'), 'w') as handle:
        json.dump(figures, handle)
    return figures


def lookups(sims, collection, results, sizes, pairs):
    sims.start(jms_args=['--anon-rate=0'])
    playbook = os.path.join(collection, 'benchmarks', 'lookup_cost', 'playbook.yml')
    # The token cache the measured runs start from: warmed below, kept between runs (the "warm cache").
    cache_dir = os.path.join(results, 'cache_dir')
    shutil.rmtree(cache_dir, ignore_errors=True)
    os.makedirs(cache_dir, mode=0o700)
    cache = ['-e', 'opsauth_tokens_cache_dir=' + cache_dir]
    sims.reset(state=True)
    for mode in LOOKUPS:
        warm = play(sims, results, 'lookups-warm-%s' % mode, playbook, 1, 1, ['-e', 'mode=' + mode, '--tags', 't01'] + cache,
                    reseed=False)
        print('  warm-up %s: %d login(s), rc %d' % (mode, warm['%s_logins' % mode], warm['rc']), flush=True)
    rows = []
    for hosts, forks, tasks in sizes:
        tags = ','.join('t%02d' % number for number in range(1, tasks + 1))
        runs = {PLAIN: [], ENV: [], JMS: [], DEEPFLOW: []}
        for number in range(pairs):
            # Rotate the order, so that a slow moment of the machine does not always hit the same kind of run.
            order = [ENV, JMS, DEEPFLOW, PLAIN]
            order = order[number % 4:] + order[:number % 4]
            for mode in order:
                name = 'lookups-%d-%s-%d' % (hosts, mode, number + 1)
                figures = play(sims, results, name, playbook, hosts, forks, ['-e', 'mode=' + mode, '--tags', tags] + cache,
                               reseed=False)
                runs[mode].append(figures)
                print('  %s: %.1f s wall, %.1f s CPU, %d+%d logins, rc %d' % (
                    name, figures['wall'], figures['cpu'], figures['jms_logins'], figures['deepflow_logins'],
                    figures['rc']), flush=True)
        rows.append(summary(hosts, forks, tasks, runs))
    return rows


def _ratios(runs, base, evaluations):
    """Medians of a mode's runs and of its per-round ratios to the ``base`` runs of the same rounds."""
    pairs = list(zip(runs, base))
    return dict(
        wall=statistics.median(r['wall'] for r in runs),
        cpu=statistics.median(r['cpu'] for r in runs),
        wall_ratio=round(statistics.median(r['wall'] / b['wall'] for r, b in pairs), 3),
        cpu_ratio=round(statistics.median(r['cpu'] / b['cpu'] for r, b in pairs), 3),
        cpu_ratios=[round(r['cpu'] / b['cpu'], 3) for r, b in pairs],
        cpu_ms_per_evaluation=round(statistics.median((r['cpu'] - b['cpu']) * 1000.0 / evaluations for r, b in pairs), 1),
        logins=sorted(set(r['jms_logins'] + r['deepflow_logins'] for r in runs)),
        hosts_failed=sum(r['hosts_failed'] for r in runs) + sum(b['hosts_failed'] for b in base))


def summary(hosts, forks, tasks, runs):
    evaluations = hosts * tasks
    row = dict(hosts=hosts, forks=forks, tasks=tasks, evaluations=evaluations, rounds=len(runs[ENV]),
               env_wall=statistics.median(r['wall'] for r in runs[ENV]),
               env_cpu=statistics.median(r['cpu'] for r in runs[ENV]),
               plain_wall=statistics.median(r['wall'] for r in runs[PLAIN]),
               plain_cpu=statistics.median(r['cpu'] for r in runs[PLAIN]))
    row[ENV] = _ratios(runs[ENV], runs[PLAIN], evaluations)
    for mode in LOOKUPS:
        row[mode] = _ratios(runs[mode], runs[ENV], evaluations)
    return row


def print_lookups(rows):
    print()
    print('| hosts | forks | tasks/host | run / base | wall run / base (s) | wall ratio | CPU run / base (s) | CPU ratio '
          '| CPU ratio per round | CPU ms per evaluation | logins per run | hosts failed |')
    print('|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---|---:|')
    for row in rows:
        for mode, label, base in ((JMS, 'jms_token / env', 'env'), (DEEPFLOW, 'deepflow_token / env', 'env'),
                                  (ENV, 'env / plain', 'plain')):
            data = row[mode]
            print('| %d | %d | %d | %s | %.1f / %.1f | %.3f | %.1f / %.1f | **%.3f** | %s | %.1f | %s | %d |' % (
                row['hosts'], row['forks'], row['tasks'], label, data['wall'], row[base + '_wall'], data['wall_ratio'],
                data['cpu'], row[base + '_cpu'], data['cpu_ratio'], ' '.join('%.2f' % r for r in data['cpu_ratios']),
                data['cpu_ms_per_evaluation'], ', '.join(str(n) for n in data['logins']), data['hosts_failed']))
    print('(medians over %s rounds; a ratio is the median of the per-round ratios; warm cache_dir, logins counted '
          'in the simulators\' request logs)' % ', '.join(sorted(set(str(row['rounds']) for row in rows))))


def modules(sims, collection, results, hosts, forks):
    sims.start()  # JumpServer's default throttle: 60 anonymous requests a minute per address
    folder = os.path.join(collection, 'benchmarks', 'module_login')
    defaults = play(sims, results, 'modules-%d' % hosts, os.path.join(folder, 'playbook.yml'), hosts, forks)
    # The same tasks with the credentials only in the environment, as AWX injects them.
    env = dict(JMS_URL=sims.endpoints['jms_url'], JMS_USERNAME='admin', JMS_PASSWORD='Adm1n-Pass!',
               DEEPFLOW_URL=sims.endpoints['deepflow_url'], DEEPFLOW_EMAIL='ops@example.com', DEEPFLOW_PASSWORD='Ops-Pass-1')
    environment = play(sims, results, 'modules-%d-env' % hosts, os.path.join(folder, 'environment.yml'), hosts, forks,
                       env=env)
    print()
    print('| %d hosts, forks %d, one jms_request and one deepflow_login task per host, password auth | module_defaults '
          '| environment only |' % (hosts, forks))
    print('|---|---:|---:|')
    for label, key in (('JumpServer logins (POST /api/v1/authentication/auth/)', 'jms_logins'),
                       ('JumpServer logins answered 429 (throttled)', 'jms_throttled'),
                       ('DeepFlow logins (POST /api/fauths/login)', 'deepflow_logins'),
                       ('tasks ok (of %d)' % (2 * hosts), 'tasks_ok'),
                       ('hosts failed (of %d)' % hosts, 'hosts_failed'),
                       ('JumpServer requests (all)', 'jms_requests'),
                       ('DeepFlow requests (all)', 'deepflow_requests'),
                       ('CPU seconds (ansible-playbook, its workers and the modules)', 'cpu'),
                       ('wall time, seconds', 'wall')):
        print('| %s | %s | %s |' % (label, defaults[key], environment[key]))
    return defaults, environment


def importtime(sims, collection, results):
    """The imports of a cache hit, per lookup: the second of two evaluations in one run directory."""
    sims.start(jms_args=['--anon-rate=0'])
    collections_path = os.path.abspath(os.path.join(collection, '..', '..', '..'))
    script = os.path.join(collection, 'tests', 'harness', 'target_helpers', 'lookup_once.py')
    marker = '-- opsauth.tokens: the lookup evaluation starts here --'
    print()
    print('| lookup (cache hit) | modules imported | cumulative import time (ms) | requests imported |')
    print('|---|---:|---:|---|')
    lookups = (('opsauth.tokens.jms_token', ['url=' + sims.endpoints['jms_url'], 'username=admin', 'password=Adm1n-Pass!']),
               ('opsauth.tokens.deepflow_token', ['url=' + sims.endpoints['deepflow_url'], 'email=ops@example.com',
                                                  'password=Ops-Pass-1']))
    for name, options in lookups:
        run_dir = os.path.join(results, 'importtime-' + name.rsplit('.', maxsplit=1)[-1])
        os.makedirs(run_dir, mode=0o700, exist_ok=True)
        command = [sys.executable, '-X', 'importtime', script, collections_path, run_dir, name] + options
        subprocess.run(command, check=True, capture_output=True)  # the login
        out = subprocess.run(command, check=True, capture_output=True, text=True)
        lines = out.stderr.split(marker, 1)[1].splitlines()
        with open(run_dir + '.txt', 'w') as handle:
            handle.write('\n'.join(lines) + '\n')
        total = 0
        for line in lines:
            match = re.match(r'import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)', line)
            if match and not match.group(2):  # top-level imports only: their cumulative time includes the rest
                total += int(match.group(1))
        imported = json.loads(out.stdout.strip().splitlines()[-1])['modules']
        print('| %s | %d | %.1f | %s |' % (name, len(imported), total / 1000.0, 'yes' if 'requests' in imported else 'no'))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('collection')
    parser.add_argument('state')
    parser.add_argument('parts', nargs='*', default=['importtime', 'modules', 'evaluation', 'lookups'])
    parser.add_argument('--sizes', default='20:5,100:20,500:50:2',
                        help='HOSTS:FORKS[:TASKS],... for the lookup comparison (10 tasks per host by default)')
    parser.add_argument('--pairs', type=int, default=5, help='rounds of (env, jms, deepflow, plain) runs per size')
    parser.add_argument('--rounds', type=int, default=150, help='rounds of forked evaluations (evaluation)')
    parser.add_argument('--module-hosts', type=int, default=70)
    parser.add_argument('--module-forks', type=int, default=10)
    args = parser.parse_args(argv)
    collection = os.path.abspath(args.collection)
    results = os.path.join(os.path.abspath(args.state), 'benchmark_tokens')
    os.makedirs(results, exist_ok=True)
    os.environ['ANSIBLE_COLLECTIONS_PATH'] = os.path.abspath(os.path.join(collection, '..', '..', '..'))
    os.environ.update(ANSIBLE_FORCE_COLOR='0', ANSIBLE_NOCOLOR='1')
    sims = Simulators(collection, os.path.abspath(args.state))
    # Whether Python keeps the plugins' bytecode changes what a lookup costs in every worker (benchmarks/README.md,
    # "Bytecode where Python may keep it"): say which case the figures are from.
    if os.environ.get('PYTHONDONTWRITEBYTECODE'):
        print('bytecode: not written (PYTHONDONTWRITEBYTECODE is set): every worker compiles the lookup plugins')
    elif not os.access(os.path.join(collection, 'plugins', 'lookup'), os.W_OK):
        print('bytecode: not written (the collection directory is read-only): every worker compiles the lookup plugins')
    else:
        print("bytecode: kept by Python in the collection's __pycache__ (its default)")
    try:
        if 'importtime' in args.parts:
            importtime(sims, collection, results)
        if 'modules' in args.parts:
            modules(sims, collection, results, args.module_hosts, args.module_forks)
        if 'evaluation' in args.parts:
            sims.start(jms_args=['--anon-rate=0'])
            sims.reset(state=True)
            subprocess.check_call([sys.executable, os.path.join(collection, 'benchmarks', 'lookup_cost', 'evaluation.py'),
                                   os.path.join(sims.state, 'endpoints.json'), str(args.rounds)])
            # From the simulators' request logs: the warm-up's one login each, none in the measured evaluations.
            print('logins: jms %d, deepflow %d (the warm-up logs in once on each)' % (
                len(sims.requests(JMS, *JMS_LOGIN)), len(sims.requests(DEEPFLOW, *DEEPFLOW_LOGIN))))
        if 'lookups' in args.parts:
            sizes = [tuple(int(n) for n in (size.split(':') + ['10'])[:3]) for size in args.sizes.split(',')]
            rows = lookups(sims, collection, results, sizes, args.pairs)
            with open(os.path.join(results, 'lookups.json'), 'w') as handle:
                json.dump(rows, handle, indent=1)
            print_lookups(rows)
    finally:
        sims.stop()
    print('raw figures and the Ansible output: %s' % results)


if __name__ == '__main__':
    main()
