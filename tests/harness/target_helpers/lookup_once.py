# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Evaluate one token lookup once, in this fresh process, the way an Ansible worker does; say what it imported.

Usage: python [-X importtime] lookup_once.py COLLECTIONS_PATH RUN_DIR LOOKUP [option=value ...]

COLLECTIONS_PATH holds ansible_collections/opsauth/tokens; RUN_DIR plays the run's local_tmp (C.DEFAULT_LOCAL_TMP), so
that two processes given the same RUN_DIR share one run's token cache, like two forks. Before the evaluation it imports
what a worker process already holds when it evaluates a lookup (it is forked from ansible-playbook, which has loaded
ansible's executor, templar and plugin loader), then prints the line MARKER on stderr: with -X importtime, the lines
after it are what the evaluation itself imported. Prints on stdout one JSON object: "modules", the modules the
evaluation imported (sorted), and "length", the length of the lookup's first answer (never the answer: a secret).
Used by tests/unit/plugins/test_lookup_imports.py and benchmarks/lookup_cache/run.sh.
"""
from __future__ import annotations

import json
import sys

MARKER = '-- opsauth.tokens: the lookup evaluation starts here --'


def main(collections_path, run_dir, name, *words):
    from ansible import constants as C
    from ansible.executor.task_executor import TaskExecutor  # noqa: F401 pylint: disable=unused-import
    from ansible.module_utils import basic  # noqa: F401 pylint: disable=unused-import
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import init_plugin_loader, lookup_loader
    from ansible.template import Templar

    init_plugin_loader([collections_path])
    C.DEFAULT_LOCAL_TMP = run_dir
    loader = DataLoader()
    templar = Templar(loader=loader, variables={})
    options = dict(word.split('=', 1) for word in words)
    before = set(sys.modules)
    sys.stderr.write(MARKER + '\n')
    sys.stderr.flush()
    lookup = lookup_loader.get(name, loader=loader, templar=templar)
    value = lookup.run([], variables={}, **options)[0]
    print(json.dumps({'modules': sorted(set(sys.modules) - before), 'length': len(value)}))


if __name__ == '__main__':
    main(*sys.argv[1:])
