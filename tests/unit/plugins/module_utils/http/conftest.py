# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the HTTP-layer tests share: the hostile environment with proxy variables set, HTML answers, a JumpServer client.

The tests import the helpers (ansible-test imports this file as
ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.http.conftest, so the import finds the same module).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver import JumpServerClient

HTML_404 = '<!doctype html><html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>'


@pytest.fixture
def proxied_env(hostile_env, monkeypatch):
    """hostile_env, plus proxy variables: a proxy on the discard port that no request should reach."""
    for name in ('HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'):
        monkeypatch.setenv(name, 'http://127.0.0.1:9')
    monkeypatch.setenv('NO_PROXY', '127.0.0.1,localhost,.invalid')
    monkeypatch.setenv('no_proxy', '127.0.0.1,localhost,.invalid')
    return hostile_env


def html(status, page):
    def answer(handler):
        data = page.encode()
        handler.send_response(status)
        handler.send_header('Content-Type', 'text/html')
        handler.send_header('Content-Length', str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
    return answer


def not_found_json(handler):
    handler.send_json(404, {'detail': 'Not found.', 'code': 'not_found'})


def client(url, **options):
    return JumpServerClient.from_options(dict(dict(url=url, private_token='p' * 40, retries=3, timeout=5), **options))
