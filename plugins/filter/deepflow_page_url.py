# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The documentation is in deepflow_page_url.yml beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_pages import page_url
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_errors import PageUrlError


def deepflow_page_url(url, page='views', token=None, refresh_token=None):
    """The login-free URL of a DeepFlow page (the rules live in module_utils/deepflow/_deepflow_pages.py,
    shared with the module and the lookup; no HTTP client is imported)."""
    try:
        return page_url(url, page, token, refresh_token=refresh_token)
    except PageUrlError as exc:
        # The message names the bad input but never echoes a token; [code] is its error code (docs/errors.md).
        raise AnsibleFilterError('opsauth.tokens.deepflow_page_url: [%s] %s' % (exc.code, exc))


class FilterModule(object):

    def filters(self):
        return {'deepflow_page_url': deepflow_page_url}
