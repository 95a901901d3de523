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
        Its folder must exist.
      - Written atomically with mode 0600. The module checks it can write O(dest) before any request that changes a
        credential; if the write still fails after the server issued one, the task fails with C(changed=true) and
        the credential in its result (no_log).
      - A file others can read is narrowed to 0600 with a warning and C(changed=true); anything but a regular file
        under 1 MiB is refused. C(docs/security.md) of the collection has the details.
    type: path
'''
