# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault matrix's data file and its table in docs/security.md, which must not drift apart.

  python tests/unit/plugins/fault_matrix_doc.py          # print the table
  python tests/unit/plugins/fault_matrix_doc.py --write  # rewrite it between the markers in docs/security.md

test_fault_matrix_doc.py fails when the table in docs/security.md is not exactly what this renders.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import yaml

try:
    from ansible_collections.opsauth.tokens.tests.unit.plugins.generated_doc import read_part, write_part
except ImportError:  # run as a script from a checkout (--write), where the collection is not importable
    from generated_doc import read_part, write_part

HERE = os.path.dirname(os.path.abspath(__file__))
MATRIX_FILE = os.path.join(HERE, 'fault_matrix.yml')
SECURITY_DOC = os.path.join(HERE, '..', '..', '..', 'docs', 'security.md')
BEGIN = '<!-- fault matrix: generated from tests/unit/plugins/fault_matrix.yml by tests/unit/plugins/fault_matrix_doc.py -->'
END = '<!-- end of the fault matrix -->'


def load_rows(path=MATRIX_FILE):
    with open(path) as handle:
        return yaml.safe_load(handle)['rows']


def _cell(text):
    return ' '.join(str(text).split()).replace('|', '\\|')


def render(rows):
    lines = ['| # | Target | Fault | Expected outcome | Status |', '|---|---|---|---|---|']
    for row in rows:
        status = 'pending (%s)' % row['pending'].split(':')[0] if row.get('pending') else 'green'
        lines.append('| %s | `%s` | %s | %s | %s |' % (row['id'], row['target'], _cell(row['fault']), _cell(row['summary']), status))
    return '\n'.join(lines) + '\n'


def documented_table(path=SECURITY_DOC):
    return read_part(path, BEGIN, END)


def write(path=SECURITY_DOC):
    write_part(path, BEGIN, END, render(load_rows()))


if __name__ == '__main__':
    if sys.argv[1:] == ['--write']:
        write()
    else:
        sys.stdout.write(render(load_rows()))
