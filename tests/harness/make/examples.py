# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make examples: every example a user reads, run against the simulators (issue 18, item 1).

Usage: examples.py list COLLECTION_DIR                      # every block found, and what is done with it
       examples.py run  COLLECTION_DIR WORK_DIR EXTRA_VARS   # (inside run.py exec: tests/harness/make/examples.sh)

The examples: the EXAMPLES of every module and lookup (plugins/{modules,lookup}/*.py) and filter
(plugins/filter/*.yml), and every ```yaml block of README.md, docs/*.md and roles/*/README.md. Nothing is chosen by
hand: a new plugin, page or block is found and run. A block is
- a list of plays (items with ``hosts``): run as it is (every host pattern it names is localhost here);
- a list of tasks: run in a play on localhost;
- ``vars:`` (a template snippet): run in a play on localhost that evaluates each variable once;
- anything else, and the blocks of PARSE_ONLY: parsed only.
Every block, run or not, has each task's options of an opsauth.tokens module checked against that module's argument
spec. The examples change nothing but the documented variables (README.md and docs/examples.md list them): the
runner passes them as extra vars (EXTRA_VARS, from tests/harness/make/examples.sh), never anything else.
One ansible-playbook run per source file, at -vvv, into WORK_DIR/<file>.log (examples.sh scans them for secrets),
each from the simulators' seed state (run.py reset --state; SIM_STATE_DIR comes from run.py exec).
"""
from __future__ import annotations

import ast
import glob
import importlib
import json
import os
import re
import subprocess
import sys

import yaml

# (file, block number from 1) -> why the block is only parsed. Keep it short: each entry needs a reason no fake covers.
PARSE_ONLY = {
    ('docs/awx.md', 1): 'a credential type fragment (injectors), checked by tests/harness/tooling/test_awx_credential_types.py',
    ('extensions/awx/README.md', 1): 'needs the awx.awx collection and a live AWX',
}
# (file, block number) -> (why the block is known to fail today, the words its failure must contain). It is run
# alone and must fail with those words; once it passes, the runner fails until the entry is removed.
PENDING = {}
# Sources whose examples read the connection from the environment, as an AWX credential injects it (JMS_URL, ...).
ENVIRONMENT = {
    'docs/awx.md': 'an AWX job: the credentials inject JMS_* and DEEPFLOW_* variables',
}
# The sources whose blocks are run; extensions/awx/README.md is listed for its PARSE_ONLY entry only.
SOURCES_MD = ('README.md', 'docs/*.md', 'roles/*/README.md', 'extensions/awx/README.md')
FENCE = re.compile(r'^```ya?ml\n(.*?)^```', re.M | re.S)
PREFIX = 'opsauth.tokens.'


class Block:
    def __init__(self, source, number, text):
        self.source, self.number, self.text = source, number, text
        try:
            self.data, self.error = yaml.safe_load(text), None
        except yaml.YAMLError as exc:
            self.data, self.error = None, str(exc).replace('\n', ' ')

    @property
    def name(self):
        return '%s #%d' % (self.source, self.number)

    def kind(self):
        if self.error:
            return 'invalid'
        if (self.source, self.number) in PARSE_ONLY:
            return 'parse-only'
        shape = self.shape()
        if shape in ('plays', 'tasks') and self.external_collections():
            return 'external'
        return shape

    def external_collections(self):
        """The collections other than ansible.builtin and this one that the block's tasks use (awx.awx, ...): a block
        that needs one is parsed and its opsauth.tokens options checked, not run (they are not installed here)."""
        plays = self.data if self.shape() == 'plays' else [dict(hosts='localhost', tasks=self.data)]
        return sorted(set('.'.join(action.split('.')[:2]) for task in tasks_of(plays) for action in task
                          if action.count('.') >= 2 and not action.startswith(('ansible.builtin.', PREFIX))))

    def shape(self):
        data = self.data
        if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
            return 'plays' if all('hosts' in item for item in data) else 'tasks'
        if isinstance(data, dict) and set(data) == {'vars'}:
            return 'vars'
        return 'unknown'

    def plays(self, kind=None):
        kind = kind or self.kind()
        if kind == 'plays':
            return self.data
        play = dict(name='Example %s' % self.name, hosts='localhost', gather_facts=False)
        if kind == 'tasks':
            return [dict(play, tasks=self.data)]
        # A vars snippet: each variable evaluated once (no_log: they hold tokens).
        tasks = []
        for name in self.data['vars']:
            check = {'that': ['(%s | string | length) > 0' % name], 'quiet': True}
            tasks.append({'name': 'Evaluate %s' % name, 'ansible.builtin.assert': check, 'no_log': True})
        return [dict(play, vars=self.data['vars'], tasks=tasks)]


def python_examples(path):
    tree = ast.parse(open(path, encoding='utf-8').read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, 'id', None) for t in node.targets] == ['EXAMPLES']:
            return node.value.value
    return None


def blocks(root):
    """Every example block of the collection, in a stable order."""
    found = []
    for folder in ('modules', 'lookup'):
        for path in sorted(glob.glob(os.path.join(root, 'plugins', folder, '*.py'))):
            if os.path.basename(path).startswith('_'):
                continue
            text = python_examples(path)
            if text is None:
                raise SystemExit('%s has no EXAMPLES' % path)
            found.append(Block(os.path.relpath(path, root), 1, text))
    for path in sorted(glob.glob(os.path.join(root, 'plugins', 'filter', '*.yml'))):
        text = yaml.safe_load(open(path, encoding='utf-8'))['EXAMPLES']
        found.append(Block(os.path.relpath(path, root), 1, text))
    for pattern in SOURCES_MD:
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            for number, match in enumerate(FENCE.finditer(open(path, encoding='utf-8').read()), 1):
                found.append(Block(os.path.relpath(path, root), number, match.group(1)))
    stale = (set(PARSE_ONLY) | set(PENDING)) - set((b.source, b.number) for b in found)
    if stale:
        raise SystemExit('PARSE_ONLY names blocks that do not exist: %s' % sorted(stale))
    return found


def tasks_of(plays):
    """Every task of these plays (pre_tasks, tasks, post_tasks, handlers; blocks opened)."""
    pending = []
    for play in plays:
        for key in ('pre_tasks', 'tasks', 'post_tasks', 'handlers'):
            pending.extend(play.get(key) or [])
    while pending:
        task = pending.pop(0)
        for key in ('block', 'rescue', 'always'):
            pending.extend(task.get(key) or [])
        yield task


def check_options(block):
    """Problems with the options an example gives an opsauth.tokens module: unknown to its argument spec."""
    problems = []
    kind = block.shape() if block.kind() == 'external' else block.kind()
    plays = block.data if kind == 'plays' else block.plays(kind) if kind in ('tasks', 'vars') else []
    for task in tasks_of(plays):
        for action, options in task.items():
            if not action.startswith(PREFIX) or not isinstance(options, dict):
                continue
            try:
                module = importlib.import_module('ansible_collections.opsauth.tokens.plugins.modules.'
                                                 + action[len(PREFIX):])
            except ImportError:
                problems.append('%s: %s is not a module of the collection' % (block.name, action))
                continue
            unknown = sorted(set(options) - set(module.ARGUMENT_SPEC))
            if unknown:
                problems.append('%s: %s has no option %s' % (block.name, action, ', '.join(unknown)))
    return problems


def hosts_of(plays):
    names = set()
    for play in plays:
        hosts = play.get('hosts', 'localhost')
        names.update(h.strip() for h in (hosts if isinstance(hosts, list) else str(hosts).split(',')))
    return names - {'localhost', 'all'}


def run(root, work, extra_vars):
    by_source = {}
    problems = []
    for block in blocks(root):
        kind = block.kind()
        problems.extend(check_options(block))
        if kind == 'invalid':
            problems.append('%s: not YAML: %s' % (block.name, block.error))
        if kind == 'unknown':
            problems.append('%s: neither plays, tasks nor a vars snippet: make it one, or list it in PARSE_ONLY with a '
                            'reason' % block.name)
        if kind in ('plays', 'tasks', 'vars'):
            pending = (block.source, block.number) in PENDING
            by_source.setdefault((block.source, pending), []).append(block)
    with open(extra_vars, encoding='utf-8') as handle:
        variables = json.load(handle)
    failed = []
    for (source, pending), source_blocks in sorted(by_source.items()):
        # A source's playbooks first, then its snippets, which may use what they set (a role's facts, say).
        ordered = [b for b in source_blocks if b.kind() == 'plays'] + [b for b in source_blocks if b.kind() != 'plays']
        plays = [play for block in ordered for play in block.plays()]
        name = source.replace('/', '__') + ('.pending' if pending else '')
        env = dict(os.environ, HOME=os.path.join(work, 'home'))
        if source in ENVIRONMENT:
            env.update(JMS_URL=variables['jms_url'], JMS_USERNAME=variables['jms_username'],
                       JMS_PASSWORD=variables['jms_password'], DEEPFLOW_URL=variables['deepflow_url'],
                       DEEPFLOW_EMAIL=variables['deepflow_email'], DEEPFLOW_PASSWORD=variables['deepflow_password'])
        playbook = os.path.join(work, name + '.yml')
        with open(playbook, 'w', encoding='utf-8') as handle:
            yaml.safe_dump(plays, handle, sort_keys=False, width=1000)
        # Every group a play names is this controller: the examples run against the simulators from here.
        inventory = os.path.join(work, name + '.ini')
        with open(inventory, 'w', encoding='utf-8') as handle:
            handle.write('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
            for group in sorted(hosts_of(plays)):
                handle.write('[%s]\nlocalhost\n' % group)
        # Each file starts from the simulators' seed state: one file's examples rotate or delete what another's use.
        subprocess.run([sys.executable, os.path.join(root, 'tests', 'simulators', 'run.py'), 'reset', '--state-dir',
                        os.environ['SIM_STATE_DIR'], '--state'], check=True, stdout=subprocess.DEVNULL)
        log = os.path.join(work, name + '.log')
        # ... and with a token folder of its own: a token file of another file's run names a token the reset forgot.
        token_dir = os.path.join(work, 'tokens', name)
        os.makedirs(token_dir, mode=0o700)
        with open(log, 'w', encoding='utf-8') as out:
            status = subprocess.run(['ansible-playbook', '-vvv', '-i', inventory, '-e', '@' + extra_vars,
                                     '-e', json.dumps({'token_dir': token_dir}), playbook],
                                    stdout=out, stderr=subprocess.STDOUT, cwd=work, env=env, check=False).returncode
        if pending:
            with open(log, encoding='utf-8') as handle:
                output = handle.read()
            why = '; '.join(PENDING[(b.source, b.number)][0] for b in source_blocks)
            expected = [PENDING[(b.source, b.number)][1] for b in source_blocks]
            as_expected = status and all(words in output for words in expected)
            print('%-4s %s (pending, expected to fail: %s)' % ('ok' if as_expected else 'FAIL', name, why))
            if not status:
                problems.append('%s passes now: remove it from PENDING' % name)
            elif not as_expected:
                problems.append('%s fails, but not with %s: see %s' % (name, expected, log))
            continue
        print('%-4s %s (%d block(s), %d play(s))' % ('ok' if status == 0 else 'FAIL', source, len(source_blocks),
                                                     len(plays)))
        if status:
            failed.append(source)
            with open(log, encoding='utf-8') as handle:
                print(''.join(handle.readlines()[-60:]))
    for problem in problems:
        print('EXAMPLE PROBLEM: ' + problem)
    parse_only = ', '.join(['%s #%d (%s)' % (s, n, why) for (s, n), why in sorted(PARSE_ONLY.items())] +
                           ['%s (needs %s)' % (b.name, ', '.join(b.external_collections()))
                            for b in blocks(root) if b.kind() == 'external'])
    print('examples: %d source(s) run, %d failed, %d problem(s); parse-only: %s'
          % (len(by_source), len(failed), len(problems), parse_only))
    return 1 if failed or problems else 0


def main(argv):
    command, root = argv[0], os.path.abspath(argv[1])
    sys.path.insert(0, os.path.abspath(os.path.join(root, '..', '..', '..')))
    if command == 'list':
        for block in blocks(root):
            print('%-10s %s' % (block.kind(), block.name))
            for problem in check_options(block):
                print('    ' + problem)
        return 0
    return run(root, os.path.abspath(argv[2]), os.path.abspath(argv[3]))


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
