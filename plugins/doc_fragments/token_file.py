# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The dest option of every module that keeps a credential in a file (_options.TOKEN_FILE_SPEC), and the rules of
    # plugins/module_utils/_token_file.py that apply to it (docs/security.md, "Nothing lost").
    DOCUMENTATION = r'''
options:
  dest:
    description:
      - A JSON file that keeps the credential between runs (the notes say what is kept and when it is reused).
      - Missing folders are created with mode 0700 (in check mode, nothing is created).
      - Written atomically with mode 0600 (a temporary file in the same folder, fsync, rename), so a crash never
        leaves half a file.
      - Before any request that creates, replaces, refreshes or deletes a credential, the module checks that O(dest)
        can be written (the nearest existing folder is writable, and what is there is a regular file, not a link) and fails before the
        request when it cannot. If the write still fails after the server issued a credential, the task fails with
        C(changed=true) and the new credential in its result (no_log), and the message says so.
      - An empty file counts as no credential. A file other users can read is narrowed to 0600 when it is read, with
        a warning (replace the credential if others may have read it) and C(changed=true). In check mode O(dest) is
        never touched (no chmod, no write); the warning says what would change, and C(changed=true).
      - A symbolic link at O(dest) is refused with one line, whatever it points to, in check mode too. The module never
        reads, writes or changes the mode of a file through a link (the link's target might be another program's
        file). Point O(dest) at the file itself. Links in the path of its folder are followed.
      - A folder that every user may write to without the sticky bit is refused (another user could replace the
        file). A directory, FIFO, socket or device and a file over 1 MiB are refused with one line, without
        blocking.
    type: path
'''

    # The identity record of a token file and force (_options.TOKEN_OWNER_SPEC, module_utils/_token_identity.py).
    IDENTITY = r'''
options:
  force:
    description:
      - O(dest) records whose credential it holds (C(identity) - the server, the user, the account type, the module
        that wrote it). A file that holds another identity's credential is never replaced silently; the task fails
        before sending anything, naming the file and whose credential it holds, unless O(force=true). A file written
        before the record keeps working; the user and server it names are compared.
      - Replace O(dest) even when it holds another identity's credential (another server, user, account type or kind
        of credential), with a warning. What it held is lost; a credential the server shows only once (a permanent
        token, an access key) cannot be read again.
    type: bool
    default: false
'''
