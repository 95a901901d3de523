# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The rules of plugins/module_utils/_store.py for every module with a dest token file (docs/security.md, "Nothing lost").
    DOCUMENTATION = r'''
notes:
  - "Token file (O(dest)): written atomically with mode 0600 (a temporary file in the same folder, fsync, rename), so a
    crash never leaves half a file. Before any request that creates, replaces or deletes a credential, the module checks
    that O(dest) can be written (its folder exists and is writable, and what is there is a regular file) and fails
    before the request when it cannot. If the write still fails after the server issued a credential, the task fails
    with C(changed=true) and the new credential in its (no_log) result, and the message says so."
  - "Token file (O(dest)): an empty file counts as no token. A file other users can read is narrowed to 0600 when it is
    read, even in check mode, with a warning (replace the token if others may have read it) and C(changed=true). A
    directory, FIFO, socket or device (also behind a symlink) and a file over 1 MiB are refused with one line, without
    blocking."
'''
