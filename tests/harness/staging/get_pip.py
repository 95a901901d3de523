# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-in for the get-pip.py that ansible-test downloads to bootstrap pip into its managed venvs.

ansible-test fetches that script from ci-files.testing.ansible.com, which our CI machines cannot reach
(they reach PyPI only). The Makefile copies this file into ansible-test's cache under the expected name;
it installs Python's bundled pip with ensurepip, then runs ``pip install`` with ansible-test's arguments
(so pip itself is upgraded to the version ansible-test pins, from PyPI).
"""
from __future__ import annotations

import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY = {'--no-setuptools', '--no-wheel', '--no-pip'}

if __name__ == '__main__':
    # ensurepip blanks pip's configuration (PIP_CONFIG_FILE=/dev/null) in os.environ; the real install must keep it
    # (a machine may need its pip.conf for an index mirror or a CA bundle).
    environment = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + args, env=environment))
