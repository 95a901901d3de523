# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The password proved with a fauths login before a permanent token is deleted (module_utils/deepflow/_deepflow_proof.py).

The one layer replaced is the requests.Session of the fauths client.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow import _deepflow_proof as proof
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow import DeepFlowClient
from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_errors import DeepFlowOptionError, PasswordNotProved
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.conftest import FakeSession
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.deepflow.conftest import envelope, login_data

OPTIONS = dict(url='https://deepflow.example.com', email='dev@yunshan.net.cn', password='dev-pwd', retries=0)


@pytest.mark.parametrize('options, over_exec, expected', [
    (dict(fauths_url=' http://fauths.example:20822/ ', url='https://d.example.com'), True, 'http://fauths.example:20822'),
    (dict(url='https://d.example.com'), True, proof.INTERNAL_FAUTHS_URL),
    (dict(url='https://d.example.com/'), False, 'https://d.example.com/api/fauths'),
    (dict(), False, proof.INTERNAL_FAUTHS_URL),
    (dict(fuser_url='http://fuser:20824/'), False, proof.INTERNAL_FAUTHS_URL),
])
def test_where_the_password_is_proved(options, over_exec, expected):
    assert proof.proof_fauths_url(options, over_exec=over_exec) == expected


def test_a_fuser_of_its_own_without_url_names_the_options_to_set():
    with pytest.raises(DeepFlowOptionError, match='set url .the DeepFlow controller. or fauths_url'):
        proof.proof_fauths_url(dict(fuser_url='http://127.0.0.1:20824'))


@pytest.fixture
def session(monkeypatch):
    """The fauths client prove_password builds, on a FakeSession whose answers the test appends."""
    fake = FakeSession()
    real = DeepFlowClient.from_options

    def from_options(options, session=None):
        return real(options, session=fake)
    monkeypatch.setattr(proof.DeepFlowClient, 'from_options', staticmethod(from_options))
    return fake


def test_a_right_password_logs_in_and_out_again(session):
    session.answers.extend([(200, envelope(login_data(access_token='tok-1'))), (200, envelope(None))])
    assert proof.prove_password(OPTIONS) is None
    assert [call['url'] for call in session.calls] == ['https://deepflow.example.com/api/fauths/login',
                                                       'https://deepflow.example.com/api/fauths/logout']
    assert session.calls[1]['headers']['Authorization'] == 'Bearer tok-1'


def test_a_failed_logout_leaves_the_proof_standing(session):
    session.answers.extend([(200, envelope(login_data())), (500, envelope(None, 'SERVER_ERROR', 'db down'))])
    assert proof.prove_password(OPTIONS) is None


def test_a_wrong_password_is_password_not_proved_and_keeps_the_server_code(session):
    session.answers.append((200, envelope(None, 'FAIL', 'email or password wrong')))
    with pytest.raises(PasswordNotProved) as caught:
        proof.prove_password(OPTIONS)
    assert caught.value.code == 'password_not_proved' and caught.value.server_code == 'FAIL'
    assert 'password of dev@yunshan.net.cn must be proved' in str(caught.value) and 'nothing was deleted' in str(caught.value)
    assert 'dev-pwd' not in str(caught.value) and len(session.calls) == 1
