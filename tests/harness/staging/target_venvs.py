# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make (or reuse) one venv per target Python for the compat_target_pythons integration target; print them as JSON.

Usage: target_venvs.py DIR REQUIREMENTS VERSION=INTERPRETER...
Each venv DIR/<version> gets REQUIREMENTS (tests/harness/requirements/targets.txt, pinned per Python) from PyPI. The oldest
interpreter also gets DIR/<version>-bare, a venv without requests (a target where the modules must fail with the
"missing required library" message) and its full venv loses setuptools (a target without setuptools must sign too).
A venv is reused while REQUIREMENTS is unchanged (its hash is kept in the venv). Prints
{"pythons": {"3.8": "DIR/3.8/bin/python", ...}, "bare": "DIR/3.8-bare/bin/python"}.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

# pyhttpsig ships only an sdist that needs a PEP 517 build: older bundled pips (3.8's, 3.10's) fail with setup.py
# install. 24.2 still runs on Python 3.8 (and is the pip ansible-test 2.19 pins).
PIP = 'pip==24.2'


def _run(*argv):
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit('%s failed:\n%s%s' % (' '.join(argv), result.stdout, result.stderr))


def make_venv(path, interpreter, stamp, requirements=None, without_setuptools=False):
    stamp_file = os.path.join(path, 'opsauth-requirements.sha256')
    python = os.path.join(path, 'bin', 'python')
    if os.path.exists(stamp_file) and open(stamp_file).read() == stamp and os.path.exists(python):
        return python
    shutil.rmtree(path, ignore_errors=True)
    _run(interpreter, '-m', 'venv', path)
    if requirements:
        _run(python, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', PIP)
        _run(python, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements)
    if without_setuptools:
        _run(python, '-m', 'pip', 'uninstall', '--quiet', '--yes', 'setuptools')
    with open(stamp_file, 'w') as handle:
        handle.write(stamp)
    return python


def main(directory, requirements, pairs):
    with open(requirements, 'rb') as handle:
        stamp = hashlib.sha256(handle.read()).hexdigest()
    wanted = sorted((tuple(int(n) for n in v.split('.')), v, i) for v, i in (p.split('=', 1) for p in pairs))
    if not wanted:
        sys.exit('target_venvs.py: no target Python given')
    directory = os.path.abspath(directory)
    os.makedirs(directory, exist_ok=True)
    oldest = wanted[0][1]
    pythons = {}
    for _key, version, interpreter in wanted:
        pythons[version] = make_venv(os.path.join(directory, version), interpreter, stamp, requirements,
                                     without_setuptools=version == oldest)
    bare = make_venv(os.path.join(directory, oldest + '-bare'), wanted[0][2], stamp + '-bare')
    print(json.dumps({'pythons': pythons, 'bare': bare, 'without_setuptools': oldest}))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
