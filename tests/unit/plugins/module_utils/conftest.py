# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fake requests.Session the module_utils tests hand to the clients: the one layer they replace; and the hostile
environment (``hostile_env``) in which the tests with the real requests stack run.

The tests import these classes (ansible-test imports this file as
ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.conftest, so the import finds the same module).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
from requests.cookies import RequestsCookieJar
from requests.structures import CaseInsensitiveDict

from ansible_collections.opsauth.tokens.plugins.module_utils.http._http import CookieAuth, HeaderAuth, NO_AUTH
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.loopback import Certificates

URL = 'http://127.0.0.1:9'
AUTH = '/api/v1/authentication/auth/'


class FakeResponse:
    """What requests answers, as far as _http.HttpClient reads it: a JSON ``body`` or a raw ``text``."""

    def __init__(self, status, body=None, text=None, headers=None, path=AUTH, url=None):
        self.status_code = status
        self.text = text if text is not None else ('' if body is None else json.dumps(body))
        self.headers = CaseInsensitiveDict(headers or {})
        self.url = url or URL + path
        self.cookies = RequestsCookieJar()

    def iter_content(self, chunk_size=1):
        # What a streamed requests answer yields; HttpClient reads every body this way.
        data = self.text.encode('utf-8')
        for start in range(0, len(data), chunk_size):
            yield data[start:start + chunk_size]

    def close(self):
        pass


class _Prepared:
    """Just enough of a requests.PreparedRequest for the collection's own auth objects to set their headers on."""

    def __init__(self, headers):
        self.headers = CaseInsensitiveDict(headers)


class FakeSession:
    """Answers from a script, one per request; remembers every request in ``calls`` (a dict of its arguments).

    An answer is a FakeResponse, an exception to raise, or ``(status, body)``: a JSON answer (a string body is sent
    as it is) from the URL that was asked.
    """

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []
        self.headers = CaseInsensitiveDict()
        self.cookies = RequestsCookieJar()
        self.verify = True

    def request(self, method, url, **kwargs):
        headers = dict(kwargs.get('headers') or {})
        auth = kwargs.get('auth')
        if isinstance(auth, (HeaderAuth, CookieAuth)):
            # The credential travels in the auth object, as with a real Session: record what it would send.
            prepared = _Prepared(headers)
            auth(prepared)
            headers = dict(prepared.headers)
        self.calls.append(dict(kwargs, method=method, url=url, headers=headers, auth=None if auth is NO_AUTH else auth))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, tuple):
            status, body = answer
            text = body if isinstance(body, str) else None
            answer = FakeResponse(status, None if text is not None else body, text=text,
                                  headers={'Content-Type': 'application/json'}, url=url)
        return answer

    def logins(self):
        """The JumpServer password logins among the calls."""
        return [call for call in self.calls if call['url'].endswith(AUTH)]


@pytest.fixture(scope='module')
def certs(tmp_path_factory):
    return Certificates(str(tmp_path_factory.mktemp('certs')))


@pytest.fixture
def hostile_env(monkeypatch, tmp_path, certs):
    """The environment of an AWX or RHEL host, for the tests of the HTTP layer with the real requests stack: CA bundles
    that trust nothing we serve, a .netrc for 127.0.0.1, no proxy (tests that want one set it)."""
    netrc = tmp_path / 'netrc'
    netrc.write_text('machine 127.0.0.1 login netrc-user password netrc-password\n')
    netrc.chmod(0o600)
    monkeypatch.setenv('NETRC', str(netrc))
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', certs.other_ca)
    monkeypatch.setenv('CURL_CA_BUNDLE', certs.other_ca)
    for name in ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return netrc
