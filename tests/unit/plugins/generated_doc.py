# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A generated part of a page in docs/, between two HTML comments: read it, or write it anew.

Used by fault_matrix_doc.py (docs/security.md) and architecture_doc.py (docs/architecture.md): a unit test compares
what the page says with what the code renders, and ``--write`` rewrites the part.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def read_part(path, begin, end):
    """The text between the ``begin`` and ``end`` markers of ``path``, or None when the page has no such part."""
    with open(path) as handle:
        text = handle.read()
    if begin not in text or end not in text:
        return None
    return text.split(begin, 1)[1].split(end, 1)[0].strip('\n') + '\n'


def write_part(path, begin, end, body):
    """Replace what stands between the markers with ``body`` (the rest of the page is kept as it is)."""
    with open(path) as handle:
        text = handle.read()
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    with open(path, 'w') as handle:
        handle.write(head + begin + '\n' + body + end + tail)
