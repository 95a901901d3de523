# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the module tests share beyond ../conftest.py (the simulators, the fake runtimes and ``run_module``).

The tests import these helpers (ansible-test imports this file as
ansible_collections.opsauth.tokens.tests.unit.plugins.modules.conftest, so the import finds the same module).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def fail_renames(monkeypatch):
    """Make the rename that puts a token file in place fail, as a full disk or a vanished folder would."""
    from ansible_collections.opsauth.tokens.plugins.module_utils.files import _token_file

    def no_space(src, dst):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(_token_file.os, 'replace', no_space)
