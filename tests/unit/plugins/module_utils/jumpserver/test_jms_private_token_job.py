# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The in-container private token job: the fixed command, the marked result line, the launcher's choices.

The launcher really runs, through the fake docker of tests/harness/fakes (by explicit path) and its fake manage.py; the
whole job against the JumpServer simulator is tested in tests/unit/plugins/modules/test_jms_private_token.py.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import io
import json
import os
import re
import sys

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec import ExecTarget
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_private_token import (
    DEFAULT_APPS_DIR,
    EXIT_NO_MANAGE_PY,
    EXIT_NO_PYTHON,
    LAUNCHER,
    RESULT_MARKER,
    SHELL_CODE,
    build_command,
    build_request,
    parse_result,
    run_private_token_job,
    run_private_tokens_job,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jumpserver_errors import PrivateTokenError, ResultNotFound, FailedMidway
from ansible_collections.opsauth.tokens.tests.unit.plugins.conftest import FAKE_BIN
from ansible_collections.opsauth.tokens.tests.unit.plugins.error_table import raises_code

DOCKER = os.path.join(FAKE_BIN, 'docker')
NONCE = 'a' * 32
NASTY = 'o\'brien"; touch /tmp/opsauth-canary; $(id) `id` \\ \n{{ x }}'


def line(**data):
    return RESULT_MARKER + json.dumps(data)


# --- the command and its input -------------------------------------------------------------------------------------

def test_the_command_is_fixed_and_carries_no_input():
    command = build_command()
    assert command[:4] == ['sh', '-c', LAUNCHER, 'opsauth']
    assert command[4] == DEFAULT_APPS_DIR and command[5] == SHELL_CODE
    assert command[6:] == ['/opt/py3/bin/python', 'python3', 'python']
    assert build_command('/srv/jms/apps', '/usr/bin/python3.11')[4:] == ['/srv/jms/apps', SHELL_CODE, '/usr/bin/python3.11']


def test_the_username_travels_only_in_the_stdin_document():
    request = json.loads(build_request([NASTY, 'bob'], 'present', rotate=True, check=True, nonce=NONCE))
    assert request == {'usernames': [NASTY, 'bob'], 'state': 'present', 'rotate': True, 'check': True, 'nonce': NONCE}
    assert not any(NASTY in part or 'brien' in part for part in build_command())


def test_the_shell_code_reads_stdin_and_uses_jumpservers_own_methods():
    assert 'sys.stdin.read()' in SHELL_CODE
    assert "for name in request['usernames']" in SHELL_CODE and 'User.objects.get(username=name)' in SHELL_CODE
    assert 'refresh_private_token()' in SHELL_CODE and 'create_private_token()' in SHELL_CODE
    assert "PrivateToken.objects.filter(user=user)" in SHELL_CODE
    compile(SHELL_CODE, '<shell>', 'exec')  # valid Python


def test_nonces_differ():
    first, second = json.loads(build_request(['a'])), json.loads(build_request(['a']))
    assert len(first['nonce']) == 32 and first['nonce'] != second['nonce']


@pytest.mark.parametrize('kwargs, message', [
    (dict(username=''), 'every username must be a non-empty string'),
    (dict(username='a', state='gone'), 'state must be present or absent'),
    (dict(username='a', state='absent', rotate=True), 'rotate=true needs state=present'),
    (dict(username='a', apps_dir='opt/jumpserver/apps'), 'apps_dir must be an absolute path'),
    (dict(username='a', python='-c'), 'python must be a path or a command name'),
])
def test_bad_input_fails_before_anything_runs(kwargs, message):
    class Target:
        def run(self, *args, **kw):
            raise AssertionError('nothing may run')
    with pytest.raises(PrivateTokenError, match=message):
        run_private_token_job(Target(), **kwargs)


# --- the marked line -----------------------------------------------------------------------------------------------

def test_only_the_marked_line_with_our_nonce_counts():
    stdout = '\n'.join([
        'Jumpserver version v4.10.16',
        '2026-01-01 [INFO] OPSAUTH_RESULT= in a log line is not at the start',
        line(ok=True, token='forged', nonce='b' * 32),
        RESULT_MARKER + '{not json',
        RESULT_MARKER + '["a", "list"]',
        line(ok=True, changed=False, token='real', nonce=NONCE),
        'shutdown noise',
    ])
    assert parse_result(stdout, NONCE)['token'] == 'real'


def test_no_marked_line_or_two_are_refused():
    with pytest.raises(ResultNotFound, match='no result line'):
        parse_result('Traceback (most recent call last):\n  ...\n', NONCE)
    with pytest.raises(ResultNotFound, match='no result line'):
        parse_result(line(ok=True, token='x', nonce='other'), NONCE)
    with pytest.raises(ResultNotFound, match='2 result lines'):
        parse_result(line(ok=True, nonce=NONCE) + '\n' + line(ok=True, nonce=NONCE), NONCE)


# --- the fixed code, run in-process against in-memory models (the one layer faked: Django's ORM) ---------------------

class _Token:
    def __init__(self, user, key):
        self.user, self.key = user, key
        self.created = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


class _Models:
    """users.models and authentication.models with JumpServer's TokenMixin behaviour, in memory."""

    def __init__(self, users, tokens):
        self.users, self.tokens, self.calls = set(users), dict(tokens), []
        models = self

        class DoesNotExist(Exception):
            pass

        class User:
            def __init__(self, username):
                self.username = username

            class objects:  # noqa: N801 - Django's spelling
                @staticmethod
                def get(username):
                    models.calls.append(('get', username))
                    if username not in models.users:
                        raise DoesNotExist()
                    return User(username)

            def create_private_token(self):
                models.calls.append(('create', self.username))
                models.tokens.setdefault(self.username, 'new-%s' % len(models.calls))
                return _Token(self, models.tokens[self.username])

            def refresh_private_token(self):
                models.calls.append(('refresh', self.username))
                models.tokens[self.username] = 'rotated-%s' % len(models.calls)
                return _Token(self, models.tokens[self.username])

        User.DoesNotExist = DoesNotExist

        class _Query:
            def __init__(self, user):
                self.user = user

            def first(self):
                key = models.tokens.get(self.user.username)
                return _Token(self.user, key) if key else None

            def delete(self):
                models.calls.append(('delete', self.user.username))
                models.tokens.pop(self.user.username, None)

        class PrivateToken:
            class objects:  # noqa: N801
                @staticmethod
                def filter(user):
                    return _Query(user)

        self.users_module = type(sys)('users.models')
        self.users_module.User = User
        self.auth_module = type(sys)('authentication.models')
        self.auth_module.PrivateToken = PrivateToken

    def writes(self):
        return [call for call in self.calls if call[0] != 'get']


@pytest.fixture
def run_code(monkeypatch, capsys):
    """Run SHELL_CODE as Django's shell -c would, with the request on stdin; return (parsed result, models)."""
    def run(models, username, **kwargs):
        """``username``: one name (returns that user's result when the job succeeds) or a list (the raw result)."""
        monkeypatch.setitem(sys.modules, 'users', type(sys)('users'))
        monkeypatch.setitem(sys.modules, 'users.models', models.users_module)
        monkeypatch.setitem(sys.modules, 'authentication', type(sys)('authentication'))
        monkeypatch.setitem(sys.modules, 'authentication.models', models.auth_module)
        names = [username] if isinstance(username, str) else username
        monkeypatch.setattr(sys, 'stdin', io.StringIO(build_request(names, nonce=NONCE, **kwargs)))
        exec(compile(SHELL_CODE, '<shell>', 'exec'), {'__name__': '__main__'})  # pylint: disable=exec-used
        result = parse_result(capsys.readouterr().out, NONCE)
        if result.get('ok') and isinstance(username, str):
            return result['results'][username]
        return result
    return run


def test_code_present_creates_once_then_returns_the_same(run_code):
    models = _Models(['alice'], {})
    first = run_code(models, 'alice')
    assert (first['changed'], first['created'], first['existed']) == (True, True, False)
    assert first['token'].startswith('new-') and first['date_created'] == '2026-01-02T03:04:05+00:00'
    second = run_code(models, 'alice')
    assert (second['changed'], second['created'], second['existed'], second['token']) == (False, False, True, first['token'])
    assert models.writes() == [('create', 'alice')]


def test_code_rotate_refreshes(run_code):
    models = _Models(['alice'], {'alice': 'old'})
    result = run_code(models, 'alice', rotate=True)
    assert result['changed'] and result['created'] and result['existed'] and result['token'].startswith('rotated-')
    assert models.writes() == [('refresh', 'alice')]


def test_code_absent_deletes_only_what_exists(run_code):
    models = _Models(['alice'], {'alice': 'old'})
    result = run_code(models, 'alice', state='absent')
    assert (result['changed'], result['existed'], result['token'], result['created']) == (True, True, None, False)
    again = run_code(models, 'alice', state='absent')
    assert (again['changed'], again['existed']) == (False, False)
    assert models.writes() == [('delete', 'alice')]


@pytest.mark.parametrize('tokens, kwargs, changed, token', [
    ({}, {}, True, None),
    ({'alice': 'old'}, {}, False, 'old'),
    ({'alice': 'old'}, {'rotate': True}, True, None),
    ({'alice': 'old'}, {'state': 'absent'}, True, None),
    ({}, {'state': 'absent'}, False, None),
])
def test_code_check_mode_only_reads(run_code, tokens, kwargs, changed, token):
    models = _Models(['alice'], tokens)
    result = run_code(models, 'alice', check=True, **kwargs)
    assert result['changed'] is changed and result['token'] == token
    assert models.writes() == [] and models.tokens == tokens


def test_code_unknown_user_and_username_as_data(run_code):
    models = _Models(['alice'], {})
    result = run_code(models, NASTY)
    assert result == {'ok': False, 'error': 'user_not_found', 'missing': [NASTY], 'nonce': NONCE}
    assert models.calls == [('get', NASTY)]  # the lookup got the username exactly, as a value


def test_code_many_users_in_one_run(run_code):
    models = _Models(['alice', 'bob', 'carol'], {'bob': 'old-bob'})
    result = run_code(models, ['alice', 'bob', 'carol'])
    assert result['ok'] and sorted(result['results']) == ['alice', 'bob', 'carol']
    assert result['results']['bob'] == dict(changed=False, existed=True, created=False, token='old-bob',
                                            date_created='2026-01-02T03:04:05+00:00')
    assert result['results']['alice']['created'] and result['results']['carol']['created']
    assert models.writes() == [('create', 'alice'), ('create', 'carol')]


def test_code_unknown_users_are_named_together_and_nothing_is_done(run_code):
    models = _Models(['alice', 'bob'], {'bob': 'old-bob'})
    result = run_code(models, ['alice', 'ghost', 'bob', 'nobody'], rotate=True)
    assert result == {'ok': False, 'error': 'user_not_found', 'missing': ['ghost', 'nobody'], 'nonce': NONCE}
    assert models.writes() == [] and models.tokens == {'bob': 'old-bob'}


def test_code_a_failure_midway_reports_what_was_done(run_code):
    models = _Models(['alice', 'bob', 'carol'], {'alice': 'old-alice', 'bob': 'old-bob'})
    original = models.users_module.User.refresh_private_token

    def refresh(user):
        if user.username == 'bob':
            raise RuntimeError('database connection lost')
        return original(user)
    models.users_module.User.refresh_private_token = refresh
    result = run_code(models, ['alice', 'bob', 'carol'], rotate=True)
    assert result['ok'] is False and result['error'] == 'failed' and result['username'] == 'bob'
    assert result['detail'] == 'RuntimeError: database connection lost'
    assert list(result['results']) == ['alice'] and result['results']['alice']['token'].startswith('rotated-')


def test_code_outside_jumpserver(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, 'users', None)  # import fails as it would in a container without JumpServer
    monkeypatch.setattr(sys, 'stdin', io.StringIO(build_request('alice', nonce=NONCE)))
    exec(compile(SHELL_CODE, '<shell>', 'exec'), {'__name__': '__main__'})  # pylint: disable=exec-used
    result = parse_result(capsys.readouterr().out, NONCE)
    assert result['ok'] is False and result['error'] == 'not_jumpserver'


# --- the launcher, through the fake docker --------------------------------------------------------------------------

@pytest.fixture
def fake_docker(fake_runtime):
    fake_runtime({'containers': {'jms_core': {'status': 'running', 'root': 'jms_core'},
                                 'no_py3': {'status': 'running', 'root': 'jms_core', 'hide': ['/opt/py3']}}})
    return lambda name='jms_core': ExecTarget(runtime='docker', container=name, docker_binary=DOCKER)


def launch(target, python=None, apps_dir=DEFAULT_APPS_DIR,
           code='import os, sys; print("ran by", os.environ.get("OPSAUTH_FAKE_INTERPRETER") or sys.executable)'):
    command = build_command(apps_dir, python)
    command[5] = code
    return target.run(command, check=False)


def test_launcher_prefers_the_images_own_interpreter(fake_docker):
    result = launch(fake_docker())
    assert result.rc == 0, result.stderr
    assert 'ran by /opt/py3/bin/python\n' in result.stdout


def test_launcher_falls_back_to_python3_on_path(fake_docker):
    result = launch(fake_docker('no_py3'))
    assert result.rc == 0, result.stderr
    ran_by = result.stdout.split('ran by ')[1].strip()
    assert os.path.basename(ran_by).startswith('python3') and '/opt/py3' not in ran_by


def test_launcher_uses_the_python_given(fake_docker):
    result = launch(fake_docker('no_py3'), python='/opt/py3/bin/python')
    assert result.rc == EXIT_NO_PYTHON
    # (the fake shows the path where it keeps the container's /opt)
    assert re.search(r'no Python interpreter found in the container \(tried: \S*/opt/py3/bin/python\)', result.stderr)


def test_launcher_without_manage_py(fake_docker):
    result = launch(fake_docker(), apps_dir='/opt/elsewhere')
    assert result.rc == EXIT_NO_MANAGE_PY and '/opt/elsewhere/manage.py does not exist' in result.stderr


def test_the_job_turns_launcher_failures_into_clear_errors(fake_docker):
    with pytest.raises(PrivateTokenError, match='docker container jms_core has no /opt/elsewhere/manage.py: set apps_dir'):
        run_private_token_job(fake_docker(), 'alice', apps_dir='/opt/elsewhere')
    with pytest.raises(PrivateTokenError, match='no Python interpreter found in docker container no_py3 '
                                                '\\(tried /opt/py3/bin/python\\): set python'):
        run_private_token_job(fake_docker('no_py3'), 'alice', python='/opt/py3/bin/python')


class _Answer:
    def __init__(self, stdout):
        self.stdout, self.stderr, self.rc = stdout, '', 0


class _Target:
    """An exec target that answers with what the fixed code would print for the request it gets."""

    def __init__(self, answer):
        self.answer, self.runs = answer, []

    def describe(self):
        return 'docker container jms_core'

    def run(self, command, stdin=None):
        request = json.loads(stdin)
        self.runs.append(request)
        return _Answer('ALLOWED_HOSTS: x\n' * 18 + line(nonce=request['nonce'], **self.answer(request)))


def test_the_job_names_every_unknown_user_and_says_nothing_changed():
    target = _Target(lambda request: dict(ok=False, error='user_not_found', missing=['ghost', 'o"brien']))
    with raises_code('user_not_found', match=r'no user named "ghost", "o\\"brien"; check usernames .*nothing was changed'):
        run_private_tokens_job(target, ['alice', 'ghost', 'o"brien'])
    assert len(target.runs) == 1 and target.runs[0]['usernames'] == ['alice', 'ghost', 'o"brien']


def test_the_job_reports_a_failure_midway_with_what_was_done():
    done = {'alice': dict(changed=True, existed=True, created=True, token='t' * 40, date_created=None)}
    target = _Target(lambda request: dict(ok=False, error='failed', username='bob', detail='OperationalError: gone',
                                          results=done))
    with pytest.raises(FailedMidway, match=r'stopped at user "bob" .*OperationalError: gone.*done before it: alice \(changed\)') as caught:
        run_private_tokens_job(target, ['alice', 'bob'], rotate=True)
    assert caught.value.results == done and 't' * 40 not in str(caught.value)


def test_the_job_refuses_a_list_with_a_user_twice():
    with pytest.raises(PrivateTokenError, match='more than once'):
        run_private_tokens_job(_Target(lambda request: {}), ['alice', 'alice'])


def test_a_shell_that_prints_no_result_line_is_an_error(fake_docker, monkeypatch):
    # The fake container has no simulator URL: the models fail as Django fails without its database.
    with pytest.raises(PrivateTokenError, match='manage.py shell failed in docker container jms_core .*OperationalError'):
        run_private_token_job(fake_docker(), 'alice')


def test_the_in_container_code_makes_no_http_request():
    """Issue 17: Python inside a container must not pick up the pod's proxies or .netrc. Ours sends no HTTP at all:
    the launcher execs manage.py, and the shell code reads stdin, asks Django's ORM and prints one line."""
    imported = set(re.findall(r'^\s*(?:import|from)\s+([\w.]+)', SHELL_CODE, re.M))
    imported |= set(re.findall(r'^\s*from\s+([\w.]+)\s+import', SHELL_CODE, re.M))
    assert imported == set(['json', 'users.models', 'authentication.models'])
    for word in ('urllib', 'requests', 'http', 'socket', 'curl', 'wget'):
        assert word not in SHELL_CODE + LAUNCHER
