# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/security.md lists every row of the fault matrix with its expected outcome, exactly as the data file says."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.tests.unit.plugins.fault_matrix_doc import documented_table, load_rows, render


def test_the_documented_matrix_is_the_data_file():
    table = documented_table()
    assert table is not None, 'docs/security.md has no generated fault matrix: run tests/unit/plugins/fault_matrix_doc.py --write'
    assert table == render(load_rows()), 'docs/security.md is out of date: run tests/unit/plugins/fault_matrix_doc.py --write'
