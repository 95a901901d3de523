# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse the code that runs on managed hosts (modules, module_utils) with Python 3.8's grammar.

ansible-test's compile test only checks the Python versions installed on the machine (3.11 here), but modules run on
targets with Python 3.8 and later (ansible-core 2.16+). ast's feature_version catches newer syntax (match, `X | Y`
in annotations that are evaluated, parenthesized context managers, ...); it does not catch newer library calls.
"""
from __future__ import annotations

import ast
import pathlib
import sys

TARGET_DIRS = ('plugins/modules', 'plugins/module_utils')
OLDEST = (3, 8)


def main(root):
    failures = []
    for directory in TARGET_DIRS:
        for path in sorted(pathlib.Path(root, directory).rglob('*.py')):
            try:
                ast.parse(path.read_text(encoding='utf-8'), filename=str(path), feature_version=OLDEST)
            except SyntaxError as exc:
                failures.append('%s:%s: not Python %d.%d syntax: %s' % (path, exc.lineno, OLDEST[0], OLDEST[1], exc.msg))
    for line in failures:
        print(line)
    print("modules and module_utils: %s Python %d.%d syntax" % ("NOT" if failures else "all", OLDEST[0], OLDEST[1]))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else '.'))
