# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CPU of one lookup evaluation in a worker process, without the rest of a run (benchmarks/README.md).

Usage: python benchmarks/lookup_cost/evaluation.py ENDPOINTS_JSON ROUNDS

A whole run's CPU (benchmarks/tokens.py lookups) varies by several per cent from one run to the next on a shared
machine, more than a millisecond per evaluation is worth. Here the parent loads Ansible, its plugin loader, the
builtin routing table and Jinja, as ansible-playbook has before it forks a task's worker, and forks one child per evaluation; the
child templates the variable ``secret`` of benchmarks/lookup_cost/modes/ with the play's option variables
(``ansible_jms_url: "{{ jms_url }}"``...) and reports the process CPU of that one call: finding and loading the
plugin, its options, the cache, the answer. Each round forks the four modes in rotating order; the children of one
mode share a run directory (``C.DEFAULT_LOCAL_TMP``), as the workers of one run do, and a warmed ``cache_dir``, so
only the first evaluation of a mode checks the kept token (its figure is printed apart, not in the median).
Needs ansible-core 2.19 or later (trusted templates, as a playbook's variables are).
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time

import yaml
from ansible import constants as C
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import action_loader, init_plugin_loader
from ansible.template import Templar, trust_as_template

HERE = os.path.dirname(os.path.abspath(__file__))
MODES = ('env', 'jms', 'deepflow', 'plain')


def play_variables(endpoints, mode, cache_dir):
    """What a task of playbook.yml sees: its play's variables, modes/MODE.yml, and the extra variables
    benchmarks/tokens.py passes (the simulators' URLs, the warmed cache_dir), trusted as a playbook's are."""
    with open(os.path.join(HERE, 'playbook.yml')) as handle:
        values = dict(yaml.safe_load(handle)[0]['vars'])
    with open(os.path.join(HERE, 'modes', mode + '.yml')) as handle:
        values.update(yaml.safe_load(handle))
    values.update(jms_url=endpoints['jms_url'], deepflow_url=endpoints['deepflow_url'],
                  opsauth_tokens_cache_dir=cache_dir)
    return dict((name, trust_as_template(value)) for name, value in values.items())


def evaluate(endpoints, mode, cache_dir, run_dir):
    """Fork a worker that evaluates ``secret`` once; its CPU milliseconds for that call."""
    C.DEFAULT_LOCAL_TMP = run_dir
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        os.close(read_end)
        variables = play_variables(endpoints, mode, cache_dir)
        templar = Templar(loader=DataLoader(), variables=variables)
        started = time.process_time()
        value = templar.template(variables['secret'])
        spent = time.process_time() - started
        os.write(write_end, ('%.6f' % (spent * 1000) if value else 'failed').encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, 'rb') as answer:
        figure = answer.read().decode()
    os.waitpid(pid, 0)
    if figure in ('', 'failed'):
        raise SystemExit('the %s evaluation failed' % mode)
    return float(figure)


def main(argv):
    with open(argv[0]) as handle:
        endpoints = json.load(handle)
    rounds = int(argv[1])
    init_plugin_loader()
    # What the main process has done when it forks the first worker: parsed the play's tasks (ansible.builtin.debug:
    # the builtin routing table, which costs about 100 ms to load) and templated (Jinja's lexer).
    action_loader.find_plugin_with_context('ansible.builtin.debug')
    Templar(loader=DataLoader(), variables={}).template(trust_as_template('{{ 1 + 1 }}'))
    cache_dir = tempfile.mkdtemp(prefix='evaluation-cache-')
    for mode in ('jms', 'deepflow'):  # warm cache_dir: one login each, in a run of its own
        evaluate(endpoints, mode, cache_dir, tempfile.mkdtemp(prefix='ansible-local-warm-'))
    run_dirs = dict((mode, tempfile.mkdtemp(prefix='ansible-local-')) for mode in MODES)
    figures = dict((mode, []) for mode in MODES)
    for number in range(rounds):
        for mode in MODES[number % 4:] + MODES[:number % 4]:
            figures[mode].append(evaluate(endpoints, mode, cache_dir, run_dirs[mode]))
    env = statistics.median(figures['env'][1:])
    print('| evaluation | first (ms) | median of the others (ms) | over env (ms) |')
    print('|---|---:|---:|---:|')
    for mode in MODES:
        median = statistics.median(figures[mode][1:])
        print('| %s | %.1f | %.2f | %+.2f |' % (mode, figures[mode][0], median, median - env))
    print('(CPU of one evaluation in a forked worker; %d rounds)' % rounds)


if __name__ == '__main__':
    main(sys.argv[1:])
