# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The hidden hand-over arguments of the run's login (module_utils/_run_login_handover.py, RunLoginModule): no option of any
argument spec (so on no ansible-doc page), yet accepted, used instead of a login, and masked in a result that is not
the token itself. The real modules against the JumpServer simulator; only the action plugin is left out (it is
tested in the module_run_login integration target)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import time

from ansible_collections.opsauth.tokens.plugins.modules import jms_request, jms_token

USERS = '/api/v1/users/users/'


def a_login(jms, run_module):
    """A real token of the simulator, and the login answer fields the action plugin hands over beside it."""
    login = run_module(jms_token, dict(url=jms.url, username='admin', password='Adm1n-Pass!'))
    data = dict(keyword=login['keyword'], date_expired=login['date_expired'], user=login['user'])
    data.update(expires_in=login['expires_in'], expires_at=int(time.time()) + login['expires_in'])
    return login['token'], data


def handover(jms, token, data, **extra):
    return dict(dict(url=jms.url, username='admin', password='Adm1n-Pass!', _run_login={'token': token},
                     _run_login_info={'data': data, 'reused': True}), **extra)


def test_the_hand_over_is_in_no_argument_spec():
    for module in (jms_request, jms_token):
        assert not [name for name in module.ARGUMENT_SPEC if name.startswith('_')]


def test_a_handed_over_login_is_used_and_masked(jms, run_module):
    token, data = a_login(jms, run_module)
    logins = len(jms.logins())
    # The token also in the request body, which the server echoes: the result must not show it.
    result = run_module(jms_request, handover(jms, token, data, method='POST', path=USERS, status_code=[201],
                                              body={'username': 'handover', 'name': token}))
    assert result.get('failed') is not True, result.get('msg')
    assert result['status'] == 201
    assert len(jms.logins()) == logins  # no login of its own
    assert token not in json.dumps(result)
    # ansible-core 2.21 returns no invocation here: the whole result must not show the hidden arguments either way.
    assert '_run_login' not in json.dumps(result)
    assert not [name for name in result.get('invocation', {}).get('module_args', {}) if name.startswith('_run_login')]


def test_a_module_that_returns_the_token_returns_the_handed_over_one(jms, run_module):
    token, data = a_login(jms, run_module)
    logins = len(jms.logins())
    result = run_module(jms_token, handover(jms, token, data))
    assert result.get('failed') is not True, result.get('msg')
    assert result['token'] == token and len(jms.logins()) == logins
    assert '_run_login' not in json.dumps(result)  # invocation included, where ansible-core returns one
