# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The table of error codes in docs/errors.md, read once for the tests that hold the code to it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import os

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError

ERRORS_MD = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'docs', 'errors.md'))


def read_table(path=ERRORS_MD):
    """{code: layer} from the rows between the error-table markers of docs/errors.md."""
    with open(path) as handle:
        text = handle.read()
    rows = text.split('<!-- error-table:start -->')[1].split('<!-- error-table:end -->')[0].strip().splitlines()[2:]
    codes = {}
    for line in rows:
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        code = cells[0].strip('`')
        if code in codes:
            raise ValueError('docs/errors.md lists %s twice' % code)
        codes[code] = cells[1]
    return codes


ERROR_CODES = read_table()


@contextlib.contextmanager
def raises_code(code, match=None):
    """pytest.raises for the collection's errors by their code (docs/errors.md): a class exists only where some code
    catches it by name, so a test asks for the code a user would match on."""
    with pytest.raises(OpsAuthError, match=match) as caught:
        yield caught
    assert caught.value.code == code, 'error_code %r, expected %r: %s' % (caught.value.code, code, caught.value)
