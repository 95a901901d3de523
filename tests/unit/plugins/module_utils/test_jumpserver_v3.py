# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The JumpServer client against the simulator as v4.10 and as v3.10 LTS, over real HTTP on 127.0.0.1."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver import JumpServerClient
from ansible_collections.opsauth.tokens.plugins.module_utils._jumpserver_errors import CredentialRejected, LoginFailed


def login(server, **options):
    options = dict(dict(url=server.url, username='alice', password='Alice-Pass-1', retries=0), **options)
    return JumpServerClient.from_options(options).login()


def test_v4_throttles_the_61st_login_a_minute_and_v3_does_not(jms_server, jms_v3_server):
    jms_server.reset()
    jms_v3_server.reset()
    for dummy in range(60):
        login(jms_server)
        login(jms_v3_server)
    with pytest.raises(LoginFailed, match='throttled') as caught:
        login(jms_server)
    assert caught.value.code == 'throttled'
    assert len(login(jms_v3_server)['token']) == 36
    assert [r['status'] for r in jms_v3_server.logins()] == [201] * 61


WORDS = [('en', 'The username or password you entered is incorrect'), ('zh-hans', '用户名或密码不正确')]


@pytest.mark.parametrize('language, words', WORDS)
def test_the_language_option_picks_the_servers_words_and_never_the_error(jms_any, language, words):
    with pytest.raises(LoginFailed) as caught:
        login(jms_any, password='wrong', language=language)
    assert caught.value.code == 'password_failed' and words in str(caught.value)
    assert jms_any.logins()[0]['headers']['accept-language'] == language


def test_an_unknown_bearer_token_is_rejected_on_both(jms_any):
    version = jms_any.app.args.jumpserver_version
    with pytest.raises(CredentialRejected) as caught:
        JumpServerClient.from_options(dict(url=jms_any.url, token='0' * 36, retries=0)).check_token()
    assert caught.value.status == 401
    assert caught.value.server_code == ('authentication_failed' if version == 3 else 'not_authenticated')
    assert caught.value.code == 'credential_rejected'
