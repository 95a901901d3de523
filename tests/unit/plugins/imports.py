# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a fresh Python process has imported after one statement: for the tests of what a plugin costs to load."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

COLLECTIONS_PATH = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', '..', '..'))
# The HTTP stack: what the light parts of the collection must not pull in.
HTTP_STACK = ('requests', 'urllib3', 'ansible_collections.opsauth.tokens.plugins.module_utils.http._http')


def loaded_modules(statement):
    """The names in sys.modules of a new interpreter after ``statement`` (run with the staged collection importable)."""
    code = '%s\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))' % statement
    out = subprocess.run([sys.executable, '-c', code], env=dict(os.environ, PYTHONPATH=COLLECTIONS_PATH),
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def http_stack(modules):
    """The modules of ``modules`` that belong to the HTTP stack."""
    return sorted(name for name in modules if name.split('.')[0] in HTTP_STACK or name in HTTP_STACK)
