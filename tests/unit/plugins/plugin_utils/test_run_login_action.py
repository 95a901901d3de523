# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugin_utils/_run_login_action.py: what the modules' action plugins hand over to a module, and what they refuse.

The real action plugins of plugins/action/ with Ansible's ActionBase; only the task, the connection and the module
run (``_execute_module``, which records the arguments a module would get) are stand-ins. The cache and the login
itself are tested in test_token_cache.py; the module side of the hand-over in
module_utils/test_run_login_handover.py; whole plays in the module_run_login integration target.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.opsauth.tokens.plugins.action import deepflow_login, jms_info, jms_request, jms_token
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._run_login_handover import (
    RUN_LOGIN,
    RUN_LOGIN_INFO,
    RUN_LOGIN_REJECTED,
    RUN_LOGIN_WANTED,
)
from ansible_collections.opsauth.tokens.plugins.plugin_utils import _run_login_action

PASSWORD_ARGS = dict(url='https://jms.example.com', username='admin', password='Adm1n-Pass!')


class Stub:
    """An attribute bag: the task, the play context, the connection and its shell."""

    def __init__(self, **attributes):
        self.__dict__.update(attributes)


class Result:
    """What TokenCache.get returns: the entry's data and whether it was reused."""

    def __init__(self, data, hit):
        self.data = data
        self.hit = hit

    def describe(self, what):
        return '%s (%s)' % (what, 'reused' if self.hit else 'new')


class Shared:
    """A SharedLogin whose cache hands out the given results in turn and records the rejections."""

    def __init__(self, *results):
        self.results = list(results)
        self.rejections = []
        self.identity, self.url = 'admin', PASSWORD_ARGS['url']

    def obtain(self):
        return self.results.pop(0)

    def rejected(self, data):
        self.rejections.append(data)


def action(plugin, args, check_mode=False, async_val=0, transport='local', become=False, answers=None):
    """The real ActionModule of ``plugin``; its module runs are recorded in ``.runs`` and answered from ``answers``."""
    task = Stub(args=dict(args), action='opsauth.tokens.%s' % plugin.__name__.rsplit('.', 1)[-1], async_val=async_val,
                check_mode=check_mode, environment=None)
    connection = Stub(transport=transport, has_native_async=False, _shell=Stub(tmpdir='/tmp/opsauth-test'))
    play_context = Stub(check_mode=check_mode, become=become, remote_addr='db1.example.com')
    instance = plugin.ActionModule(task, connection, play_context, loader=None, templar=None, shared_loader_obj=None)
    instance.runs = []
    queue = list(answers or [])

    def execute_module(module_args=None, task_vars=None, wrap_async=False):
        instance.runs.append(dict(module_args))
        return dict(queue.pop(0)) if queue else {'changed': False}

    instance._execute_module = execute_module
    instance._remove_tmp_path = lambda path: None
    return instance


# --- what a task gives is never handed over as the run's login ----------------------------------------------------


@pytest.mark.parametrize('plugin', [jms_token, jms_request, jms_info, deepflow_login])
def test_hidden_arguments_a_task_gives_are_dropped_before_the_module_runs(plugin):
    forged = dict(PASSWORD_ARGS, **{RUN_LOGIN: {'token': 'forged'}, RUN_LOGIN_INFO: {'data': {}, 'reused': True}})
    # Check mode: the plugin does not log in (except jms_info), so the module gets the task's arguments alone.
    plugin_action = action(plugin, forged, check_mode=True)
    plugin_action._shared_login = lambda args, task_vars: (None, None)
    plugin_action.run(task_vars={})
    assert plugin_action.runs == [PASSWORD_ARGS]


def test_check_mode_and_async_never_use_the_runs_login():
    asked = []
    for options in (dict(check_mode=True), dict(async_val=30), dict(transport='ssh'), dict(become=True)):
        plugin_action = action(jms_token, PASSWORD_ARGS, **options)
        plugin_action._shared_login = lambda args, task_vars: asked.append(args) or (None, None)
        plugin_action.run(task_vars={})
        assert plugin_action.runs == [PASSWORD_ARGS]
    # Only ssh and become get as far as resolving the options; check mode and async never ask.
    assert len(asked) == 2


@pytest.mark.parametrize('transport, become, why', [
    ('ssh', False, 'the module runs on db1.example.com over ssh'),
    ('local', True, 'the module runs with become'),
])
def test_off_the_controller_the_plugin_says_why_at_v_and_does_not_log_in(monkeypatch, transport, become, why):
    lines = []
    monkeypatch.setattr(_run_login_action.display, 'v', lines.append)
    plugin_action = action(jms_request, PASSWORD_ARGS, transport=transport, become=become)
    assert plugin_action._shared_login(PASSWORD_ARGS, {}) == (None, None)
    assert len(lines) == 1 and why in lines[0] and "the module logs in itself" in lines[0]


def test_only_a_login_state_logs_in():
    assert jms_token.ActionModule.may_log_in(action(jms_token, {}), dict(state='present'))
    assert jms_token.ActionModule.may_log_in(action(jms_token, {}), {})  # the default state
    assert not jms_token.ActionModule.may_log_in(action(jms_token, {}), dict(state='absent'))
    assert not deepflow_login.ActionModule.may_log_in(action(deepflow_login, {}), dict(state='refreshed'))
    assert jms_request.ActionModule.may_log_in(action(jms_request, {}), dict(state='anything'))  # every state


def test_only_a_password_login_is_shared():
    assert _run_login_action.RunLoginAction.uses_password(dict(password='pw'))
    assert not _run_login_action.RunLoginAction.uses_password(dict(private_token='p' * 40, password=''))


def test_a_stored_token_or_a_refresh_token_asks_the_module_first():
    assert action(jms_token, {}).hand_over(dict(dest='/tmp/t.json')) == 'wanted'
    assert action(jms_token, {}).hand_over(dict(password='pw')) == 'token'
    assert action(deepflow_login, {}).hand_over(dict(refresh_token='r')) == 'wanted'
    assert action(jms_request, {}).hand_over(dict(dest='/tmp/t.json')) == 'token'  # jms_request stores nothing


# --- what is handed over -------------------------------------------------------------------------------------------


def test_jumpserver_hands_over_the_token_as_a_secret_and_only_the_fields_the_module_needs():
    data = dict(token='tok-5ecret', keyword='Bearer', date_expired='2026/12/07 10:00:00 +0000', user='admin')
    payload = action(jms_request, {})._payload(Result(data, hit=True))
    assert payload == {RUN_LOGIN: {'token': 'tok-5ecret'}, RUN_LOGIN_INFO: {'data': {'keyword': 'Bearer'}, 'reused': True}}


def test_jms_token_hands_over_every_field_of_the_entry():
    data = dict(token='tok-5ecret', keyword='Bearer', date_expired='2026/12/07 10:00:00 +0000')
    payload = action(jms_token, {})._payload(Result(data, hit=False))
    assert payload[RUN_LOGIN] == {'token': 'tok-5ecret'}
    assert payload[RUN_LOGIN_INFO] == {'data': dict(keyword='Bearer', date_expired=data['date_expired']), 'reused': False}


def test_deepflow_hands_over_access_and_refresh_token_as_secrets():
    data = dict(token='eyJ.access', refresh_token='eyJ.refresh', access_token='', expires_at=1787364000, email='a@b.c')
    payload = action(deepflow_login, {})._payload(Result(data, hit=True))
    assert payload[RUN_LOGIN] == {'token': 'eyJ.access', 'refresh_token': 'eyJ.refresh'}
    # An empty secret field is not a secret to hand over, and never lands in the clear part either.
    assert payload[RUN_LOGIN_INFO]['data'] == dict(access_token='', expires_at=1787364000, email='a@b.c')
    assert 'eyJ' not in repr(payload[RUN_LOGIN_INFO])


def test_the_run_hands_over_the_login_and_returns_the_module_answer_without_the_hidden_arguments():
    answer = {'changed': False, 'invocation': {'module_args': dict(PASSWORD_ARGS, **{RUN_LOGIN: 'x', RUN_LOGIN_INFO: 'y'})}}
    plugin_action = action(jms_request, PASSWORD_ARGS, answers=[answer])
    shared = Shared(Result(dict(token='tok-1', keyword='Bearer'), hit=False))
    plugin_action._shared_login = lambda args, task_vars: (shared, dict(args))
    result = plugin_action.run(task_vars={})
    assert plugin_action.runs == [dict(PASSWORD_ARGS, **{RUN_LOGIN: {'token': 'tok-1'},
                                                         RUN_LOGIN_INFO: {'data': {'keyword': 'Bearer'}, 'reused': False}})]
    assert result['invocation']['module_args'] == PASSWORD_ARGS


def test_a_401_for_the_runs_token_drops_it_once_logs_in_again_and_runs_the_module_once_more():
    plugin_action = action(jms_request, PASSWORD_ARGS, answers=[{RUN_LOGIN_REJECTED: True, 'failed': True},
                                                                {'changed': True, 'status': 200}])
    shared = Shared(Result(dict(token='tok-old'), hit=True), Result(dict(token='tok-new'), hit=False))
    plugin_action._shared_login = lambda args, task_vars: (shared, dict(args))
    result = plugin_action.run(task_vars={})
    assert shared.rejections == [dict(token='tok-old')]
    assert [run[RUN_LOGIN] for run in plugin_action.runs] == [{'token': 'tok-old'}, {'token': 'tok-new'}]
    assert result['changed'] is True and result['status'] == 200 and RUN_LOGIN_REJECTED not in result


def test_a_module_that_needs_no_login_is_asked_first_and_nothing_is_obtained():
    args = dict(PASSWORD_ARGS, dest='/tmp/token.json')
    plugin_action = action(jms_token, args, answers=[{'changed': False, 'reused': True}])
    shared = Shared()  # obtain() would fail: nothing to hand out
    plugin_action._shared_login = lambda args, task_vars: (shared, dict(args))
    result = plugin_action.run(task_vars={})
    assert plugin_action.runs == [dict(args, **{RUN_LOGIN_INFO: {'wanted': True}})]
    assert result['reused'] is True and RUN_LOGIN_WANTED not in result


def test_a_module_that_wants_the_login_gets_it_and_keeps_the_warnings_of_its_first_answer():
    args = dict(PASSWORD_ARGS, dest='/tmp/token.json')
    plugin_action = action(jms_token, args, answers=[{RUN_LOGIN_WANTED: True, 'warnings': ['stored token refused']},
                                                     {'changed': True, 'warnings': ['another']}])
    shared = Shared(Result(dict(token='tok-1', keyword='Bearer'), hit=False))
    plugin_action._shared_login = lambda args, task_vars: (shared, dict(args))
    result = plugin_action.run(task_vars={})
    assert plugin_action.runs[1][RUN_LOGIN] == {'token': 'tok-1'}
    assert result['warnings'] == ['stored token refused', 'another']


def test_a_refused_run_login_fails_the_task_as_the_module_would():
    plugin_action = action(jms_request, PASSWORD_ARGS)

    class Refused(Shared):
        def obtain(self):
            raise OpsAuthError('login as admin failed', code='password_failed', status=400)

    plugin_action._shared_login = lambda args, task_vars: (Refused(), dict(args))
    result = plugin_action.run(task_vars={})
    assert plugin_action.runs == []  # the module never ran: the login was refused
    assert result['failed'] is True and result['error_code'] == 'password_failed' and result['status'] == 400


# --- SharedLogin: the run's token through the answer, the platform client only on the full path --------------------

def shared_logins(monkeypatch, dirs):
    """SharedLogin over a real TokenCache; the platform's key and source (the client layer) come from a FakeServer,
    and every time the action plugin asks _token_sources for them is counted."""
    from ansible_collections.opsauth.tokens.plugins.plugin_utils import _token_sources
    from ansible_collections.opsauth.tokens.plugins.plugin_utils._token_cache import TokenCache
    from ansible_collections.opsauth.tokens.tests.unit.plugins.plugin_utils.conftest import FakeServer, key_for

    server, asked = FakeServer(dirs['base']), []

    def jumpserver(options):
        asked.append(dict(options))
        return key_for(options['username'], options['password'], options['url']), server

    monkeypatch.setattr(_token_sources, 'jumpserver', jumpserver)

    def shared(**options):
        login = dict(url='http://127.0.0.1:8080', username='admin', password='Adm1n-Pass!', **options)
        return _run_login_action.SharedLogin(TokenCache(dirs['run']), 'jumpserver', login)

    return shared, server, asked


def test_later_tasks_get_the_runs_token_without_the_platform_client(monkeypatch, dirs):
    shared, server, asked = shared_logins(monkeypatch, dirs)
    first = shared()
    first.check()
    token = first.obtain()
    assert token.obtained_by == 'login' and len(asked) == 1 and server.calls('login') == ['login']
    # A later task (another worker) with the same login options: the token through the answer, no client, no login.
    later = shared()
    reads, answer_entry = [], later.cache.answer_entry
    later.cache.answer_entry = lambda name: reads.append(name) or answer_entry(name)
    later.check()
    again = later.obtain()
    assert again.hit and again.data['token'] == token.data['token']
    assert len(reads) == 1  # check() keeps the answer it read for obtain()
    assert (later.identity, later.url) == ('admin', 'http://127.0.0.1:8080')
    assert len(asked) == 1 and server.calls('login') == ['login']
    # Other login options are another answer: the full path, which checks them with the client.
    shared(timeout=5).check()
    assert len(asked) == 2


def test_a_token_the_server_rejected_is_never_served_through_the_answer(monkeypatch, dirs):
    shared, server, asked = shared_logins(monkeypatch, dirs)
    first = shared()
    token = first.obtain()
    first.rejected(token.data)  # the module's 401: the entry goes, for every fork
    later = shared()
    replaced = later.obtain()
    assert replaced.obtained_by == 'login' and replaced.data['token'] != token.data['token']
    assert server.calls('login') == ['login', 'login'] and len(asked) == 2
