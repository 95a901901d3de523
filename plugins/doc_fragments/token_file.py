# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The dest option of every module that keeps a credential in a file (_options.TOKEN_FILE_SPEC), and the rules of
    # plugins/module_utils/files/_token_file.py that apply to it (docs/security.md, "Nothing lost").
    DOCUMENTATION = r'''
options:
  dest:
    description:
      - A JSON file (mode 0600) that keeps the credential between runs. See C(docs/security.md) ("Nothing lost").
    type: path
'''

    # The identity record of a token file and force (_options.TOKEN_OWNER_SPEC, module_utils/files/_token_identity.py).
    IDENTITY = r'''
options:
  force:
    description:
      - Replace O(dest) even when it holds another identity's credential (C(docs/results.md), "Files").
    type: bool
    default: false
'''
