# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write tests/integration/integration_config.yml (extra vars for every target) from the simulators' endpoints.

It also makes the compat_target_pythons target's venvs (tests/harness/staging/target_venvs.py): one per target Python 3.8+ that this
ansible-core supports and this machine has (tests/harness/staging/matrix.py), in $OPSAUTH_TARGET_VENVS (default: beside the
state directory), and names them in the config as target_pythons; OPSAUTH_TARGET_PYTHONS=skip (a run without
compat_target_pythons: make integration-core and make test's lanes) makes none and names none.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import matrix  # noqa: E402  pylint: disable=wrong-import-position
import target_venvs  # noqa: E402  pylint: disable=wrong-import-position


def target_pythons(state_dir, collection):
    directory = os.environ.get('OPSAUTH_TARGET_VENVS') or os.path.join(os.path.dirname(os.path.abspath(state_dir)),
                                                                       'target-venvs')
    pairs = io.StringIO()
    with contextlib.redirect_stdout(pairs):
        matrix.targets(sys.executable)
    venvs = io.StringIO()
    with contextlib.redirect_stdout(venvs):
        target_venvs.main(directory, os.path.join(collection, 'tests', 'harness', 'requirements', 'targets.txt'),
                          pairs.getvalue().split())
    return json.loads(venvs.getvalue())


def main(state_dir, collection):
    with open(os.path.join(state_dir, 'endpoints.json'), encoding='utf-8') as handle:
        config = json.load(handle)
    config.update(
        sim_state_dir=os.path.abspath(state_dir),
        collection_dir=os.path.abspath(collection),
        fake_bin_dir=os.path.join(os.path.abspath(collection), 'tests', 'harness', 'fakes'),
        sim_python=sys.executable,
        target_pythons=None if os.environ.get('OPSAUTH_TARGET_PYTHONS') == 'skip' else target_pythons(state_dir, collection),
    )
    path = os.path.join(collection, 'tests', 'integration', 'integration_config.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(config, handle, indent=2)  # JSON is YAML
        handle.write('\n')  # make test lints the staged tree after the integration run, this file included
    return path


if __name__ == '__main__':
    print(main(sys.argv[1], sys.argv[2]))
