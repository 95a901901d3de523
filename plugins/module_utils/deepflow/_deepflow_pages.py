# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""DeepFlow's login-free page URLs: a page of the controller opened already logged in with a token.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Standard library only: the deepflow_page_url filter builds URLs without the HTTP client (and without ``requests``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from urllib.parse import quote, unquote, urlsplit, urlunsplit

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_errors import PageUrlError
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import parse_origin

# The login-free pages the DeepFlow document names. The document's "network" example repeats the application
# path by mistake; its default (logged-in) link shows the real one.
PAGES = {
    'views': '/monitor/list',
    'applications': '/appPerformance/instance/index',
    'network': '/platformOverview/instance/index',
}


_PAGE_PARAMS = ('token', 'refreshToken')


def page_url(base, page, token, refresh_token=None):
    """The URL that opens ``page`` of the DeepFlow at ``base`` already logged in with ``token``.

    ``page`` is one of PAGES or a path starting with ``/`` (its query, e.g. ``noBack=true``, is kept).
    ``refresh_token`` lets the page renew an expired access token; leave it out for a permanent token.
    Raises PageUrlError with one line that says what to fix.
    """
    if not isinstance(base, str) or not base.strip():
        raise PageUrlError('the DeepFlow URL is empty: give the controller URL, e.g. https://deepflow.example.com')
    try:
        parts = urlsplit(base.strip())
        usable = parts.scheme in ('http', 'https') and parts.netloc and parse_origin(base) is not None
    except ValueError:  # urlsplit refuses some netlocs ('//[', a bad port) with a ValueError of its own
        usable = False
    if not usable:
        # Never echo it: what is given here by mistake is often the token itself (the filter's input and its
        # argument swapped), and a message is printed even when the task's values are no_log.
        raise PageUrlError('the DeepFlow URL (a %d-character value, not shown) is not an absolute http(s) URL: give '
                           'the controller URL, e.g. https://deepflow.example.com' % len(base))
    if not isinstance(page, str) or not page:
        raise PageUrlError('page is missing: use one of %s, or a path starting with /' % ', '.join(sorted(PAGES)))
    if page in PAGES:
        page = PAGES[page]
    elif not page.startswith('/'):
        # A long value is more likely a token passed in the wrong place than a page name: do not echo it.
        shown = repr(page) if len(page) <= 40 else '(a %d-character value)' % len(page)
        raise PageUrlError('unknown DeepFlow page %s: use one of %s, or a path starting with /'
                           % (shown, ', '.join(sorted(PAGES))))
    if not isinstance(token, str) or not token.strip():
        raise PageUrlError('token is empty: give the access token (or the permanent key) the page should log in with')
    if refresh_token is not None and not isinstance(refresh_token, str):
        raise PageUrlError('refresh_token must be a string (leave it out for a permanent token)')

    try:
        page_parts = urlsplit(page)
    except ValueError:
        raise PageUrlError('the page path is not a valid URL path: use one of %s, or a path such as /monitor/list'
                           % ', '.join(sorted(PAGES)))
    path = parts.path.rstrip('/') + page_parts.path
    # Keep the other parameters exactly as written (their encoding too); drop a token already there so that the
    # URL never carries two.
    kept = [item for item in (parts.query.split('&') + page_parts.query.split('&'))
            if item and unquote(item.split('=', 1)[0]) not in _PAGE_PARAMS]
    kept.append('token=' + quote(token.strip(), safe=''))
    if refresh_token:
        kept.append('refreshToken=' + quote(refresh_token.strip(), safe=''))
    return urlunsplit((parts.scheme, parts.netloc, path, '&'.join(kept), page_parts.fragment or parts.fragment))


def page_urls(base, token, refresh_token=None):
    """All the documented pages for one token, by name; {} when the controller URL is unknown."""
    if not base or not token:
        return {}
    return dict((name, page_url(base, name, token, refresh_token)) for name in sorted(PAGES))
