# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write tests/integration/integration_config.yml (extra vars for every target) from the simulators' endpoints."""
from __future__ import annotations

import json
import os
import sys


def main(state_dir, collection):
    with open(os.path.join(state_dir, 'endpoints.json'), encoding='utf-8') as handle:
        config = json.load(handle)
    config.update(
        sim_state_dir=os.path.abspath(state_dir),
        collection_dir=os.path.abspath(collection),
        fake_bin_dir=os.path.join(os.path.abspath(collection), 'tests', 'bin'),
        sim_python=sys.executable,
    )
    path = os.path.join(collection, 'tests', 'integration', 'integration_config.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(config, handle, indent=2)  # JSON is YAML
        handle.write('\n')  # make test lints the staged tree after the integration run, this file included
    return path


if __name__ == '__main__':
    print(main(sys.argv[1], sys.argv[2]))
