# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Find the interpreters of the version matrix (make test-matrix); nothing is installed here.

Usage:
  matrix.py controller REQUIREMENTS   print the interpreter for an ansible-core cell: the first Python of the
                                      file's "# controller-python:" line that this machine has; exit 3 if none
  matrix.py targets PYTHON            print VERSION=INTERPRETER for every target Python 3.8+ that the ansible-core
                                      installed for PYTHON supports and this machine has; say on stderr which it skips
Interpreters come from pyenv (`pyenv root`/versions/<version>/bin/python, the newest patch release), else from
pythonX.Y on PATH.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys

OLDEST_TARGET = (3, 8)  # modules and module_utils run on Python 3.8 and later (README)


def _version_key(text):
    return tuple(int(part) for part in re.findall(r'\d+', text))


def find_interpreter(version):
    """The path of a CPython `version` (such as "3.12") on this machine, or None."""
    try:
        root = subprocess.run(['pyenv', 'root'], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        root = os.path.expanduser('~/.pyenv')
    found = [path for path in glob.glob(os.path.join(root, 'versions', version + '.*', 'bin', 'python'))
             if re.match(r'^\d+\.\d+\.\d+$', os.path.basename(os.path.dirname(os.path.dirname(path))))]
    if found:
        return max(found, key=lambda path: _version_key(path.split('/versions/')[1]))
    return shutil.which('python' + version)


def controller(requirements):
    with open(requirements, encoding='utf-8') as handle:
        match = re.search(r'^# controller-python:(.*)$', handle.read(), re.M)
    if not match:
        sys.exit('%s has no "# controller-python:" line' % requirements)
    wanted = match.group(1).split()
    for version in wanted:
        path = find_interpreter(version)
        if path:
            print(path)
            return 0
    print('no controller Python for %s: none of %s on this machine' % (requirements, ' '.join(wanted)), file=sys.stderr)
    return 3


def targets(python):
    code = ('from ansible_test._util.target.common.constants import REMOTE_ONLY_PYTHON_VERSIONS as r, '
            'CONTROLLER_PYTHON_VERSIONS as c; print(" ".join(r + c))')
    supported = subprocess.run([python, '-c', code], capture_output=True, text=True, check=True).stdout.split()
    pairs = []
    for version in sorted(supported, key=_version_key):
        if _version_key(version) < OLDEST_TARGET:
            continue  # ansible-core supports it, the collection does not
        path = find_interpreter(version)
        if path:
            pairs.append('%s=%s' % (version, path))
        else:
            print('SKIPPED target Python %s: no interpreter on this machine (pyenv or python%s on PATH)'
                  % (version, version), file=sys.stderr)
    print(' '.join(pairs))
    return 0


if __name__ == '__main__':
    sys.exit({'controller': controller, 'targets': targets}[sys.argv[1]](*sys.argv[2:]))
