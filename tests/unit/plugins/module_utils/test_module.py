# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module frame (module_utils/_module.py) with a real AnsibleModule: options, the missing-library message, the
shape of a success and of a failure, and the hand-over of the run's login."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re

import pytest

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.opsauth.tokens.plugins.module_utils import _module
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._module import OpsAuthModule
from ansible_collections.opsauth.tokens.plugins.module_utils._run_login_handover import RUN_LOGIN_REJECTED, RUN_LOGIN_WANTED
from ansible_collections.opsauth.tokens.tests.unit.plugins.conftest import patch_module_args

SPEC = dict(name=dict(type='str', required=True), secret=dict(type='str', no_log=True),
            url=dict(type='str'), validate_certs=dict(type='bool', default=True))


class Refused(OpsAuthError):
    code = 'refused'
    status = 401
    body = {'error': 'refused'}


def frame_run(capsys, run_class, args, run_login=False, rules=None):
    """The task's JSON result after OpsAuthModule(...).run(run_class)."""
    with patch_module_args(dict(args, _ansible_check_mode=False, _ansible_diff=False)):
        with pytest.raises(SystemExit):
            OpsAuthModule(SPEC, rules, run_login=run_login).run(run_class)
    return json.loads(capsys.readouterr().out)


class Echo:
    def __init__(self, module):
        self.module = module

    def run(self):
        return dict(changed=False, msg='hello %s' % self.module.params['name'])


class Fails:
    def __init__(self, module):
        self.module = module
        self.changed = False

    def run(self):
        self.changed = True
        raise Refused('no entry')


class FailsWithContext(Fails):
    def failure(self, exc):
        return exc.failure(changed=self.changed)


class NeedsRequests(Echo):
    def run(self):
        self.module.require_requests()
        return Echo.run(self)


class UsesTheRunsLogin(Echo):
    def run(self):
        handed = self.module.handed_over()
        return dict(changed=False, login=handed[0] if handed else None, reused_login=handed[1] if handed else None)


class ReturnsTheRunsLogin(Echo):
    def run(self):
        login, _reused = self.module.handed_over(returned=True)
        return dict(changed=False, token=login['token'])


class RejectsTheRunsLogin(Echo):
    def run(self):
        self.module.handed_over()
        raise Refused('token refused')

    @staticmethod
    def run_login_rejected(exc):
        return isinstance(exc, Refused)


MODULES_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'modules')
MODULE_FILES = sorted(name for name in os.listdir(MODULES_DIR) if name.endswith('.py') and not name.startswith('_'))
# What only the frame does: a module file that says one of these builds its own frame.
FRAME_WORDS = ('AnsibleModule', 'RunLoginModule', 'resolve_module', 'warn_insecure', 'HAS_REQUESTS',
               'missing_required_lib', 'fail_json', 'exit_json', 'handed_over', 'succeeded(')

HANDOVER = dict(_run_login={'token': 'tok-5ecret'}, _run_login_info={'data': {'user': 'alice'}, 'reused': True})


def test_a_success_speaks_the_result_vocabulary(capsys):
    result = frame_run(capsys, Echo, dict(name='alice'))
    assert result['msg'] == 'hello alice' and result['changed'] is False
    assert result['error_code'] is None and result['reused'] is False and 'failed' not in result


def test_the_argument_spec_and_rules_are_the_modules(capsys):
    result = frame_run(capsys, Echo, dict(name='alice', bogus=1))
    assert result['failed'] is True and 'bogus' in result['msg']
    result = frame_run(capsys, Echo, dict(name='alice'), rules=dict(required_if=[('name', 'alice', ('url',))]))
    assert result['failed'] is True and 'url' in result['msg']


def test_validate_certs_false_warns(capsys):
    result = frame_run(capsys, Echo, dict(name='alice', url='https://jms.example', validate_certs=False))
    assert 'validate_certs=false' in json.dumps(result['warnings'])  # a summary object on ansible-core >= 2.19


def test_the_missing_library_message(capsys, monkeypatch):
    monkeypatch.setattr(_module, 'HAS_REQUESTS', False)
    result = frame_run(capsys, NeedsRequests, dict(name='alice'))
    assert result['failed'] is True and result['msg'] == missing_required_lib('requests')
    # A run that does not ask for the library runs without it.
    assert frame_run(capsys, Echo, dict(name='alice'))['msg'] == 'hello alice'


def test_a_failure_has_the_same_keys_for_every_module(capsys):
    result = frame_run(capsys, Fails, dict(name='alice', secret='s3cret-value'))
    assert result['failed'] is True
    assert dict((key, result[key]) for key in ('msg', 'error_code', 'status', 'json')) == {
        'msg': 'no entry', 'error_code': 'refused', 'status': 401, 'json': {'error': 'refused'}}
    assert 's3cret-value' not in json.dumps(result)  # no_log options stay masked
    assert RUN_LOGIN_REJECTED not in result


def test_a_run_adds_what_it_knows_to_its_failure(capsys):
    result = frame_run(capsys, FailsWithContext, dict(name='alice'))
    assert result['failed'] is True and result['changed'] is True and result['error_code'] == 'refused'


def test_a_run_that_cannot_start_fails_the_same_way(capsys):
    class CannotStart(Echo):
        def __init__(self, module):
            raise Refused('bad options')
    result = frame_run(capsys, CannotStart, dict(name='alice'))
    assert result['failed'] is True and result['msg'] == 'bad options' and result['status'] == 401


def test_the_hidden_arguments_are_refused_without_an_action_plugin(capsys):
    result = frame_run(capsys, UsesTheRunsLogin, dict(HANDOVER, name='alice'))
    assert result['failed'] is True and '_run_login' in result['msg']


def test_the_handed_over_login_is_used_and_masked(capsys):
    result = frame_run(capsys, UsesTheRunsLogin, dict(HANDOVER, name='alice'), run_login=True)
    assert result.get('failed') is not True, result
    assert result['login']['user'] == 'alice' and result['reused_login'] is True
    assert 'tok-5ecret' not in json.dumps(result)
    # ansible-core 2.21 returns no invocation here: the whole result must not show the hidden arguments either way.
    assert not [name for name in result.get('invocation', {}).get('module_args', {}) if name.startswith('_run_login')]
    assert '_run_login' not in json.dumps(result)


def test_a_run_that_returns_the_token_gets_it_unmasked(capsys):
    result = frame_run(capsys, ReturnsTheRunsLogin, dict(HANDOVER, name='alice'), run_login=True)
    assert result['token'] == 'tok-5ecret'


def test_without_a_handover_the_run_logs_in_itself(capsys):
    result = frame_run(capsys, UsesTheRunsLogin, dict(name='alice'), run_login=True)
    assert result['login'] is None


def test_asked_whether_a_login_is_needed_the_run_stops_there(capsys):
    result = frame_run(capsys, RejectsTheRunsLogin, dict(name='alice', _run_login_info={'wanted': True}),
                       run_login=True)
    assert result == dict(result, changed=False, **{RUN_LOGIN_WANTED: True}) and 'failed' not in result


def test_a_refused_run_login_is_reported_to_the_action_plugin(capsys):
    result = frame_run(capsys, RejectsTheRunsLogin, dict(HANDOVER, name='alice'), run_login=True)
    assert result['failed'] is True and result[RUN_LOGIN_REJECTED] is True and result['error_code'] == 'refused'
    # Only for the run's login: a refusal of the task's own credentials is the task's failure.
    result = frame_run(capsys, RejectsTheRunsLogin, dict(name='alice'), run_login=True)
    assert result['failed'] is True and RUN_LOGIN_REJECTED not in result


@pytest.mark.parametrize('name', MODULE_FILES)
def test_every_module_runs_in_the_frame(name):
    with open(os.path.join(MODULES_DIR, name)) as handle:
        code = handle.read().split("RETURN = r'''", 1)[1].split("'''\n", 1)[1]  # the code after the docs
    assert [word for word in FRAME_WORDS if word in code] == []
    # main() imports the frame and the run (not the file: the action plugin imports it for the spec alone, see
    # test_resolve.py) and hands the one to the other, in one line.
    body = code.split('def main():', 1)[1].split("\nif __name__ == '__main__':", 1)[0]
    lines = [line.strip() for line in body.splitlines() if line.strip() and not line.strip().startswith('#')]
    assert len(lines) == 3, lines
    frame, run, call = lines
    assert frame == 'from ansible_collections.opsauth.tokens.plugins.module_utils._module import OpsAuthModule'
    match = re.match(r'from ansible_collections\.opsauth\.tokens\.plugins\.module_utils\.[\w.]+ import (\w+Run)$', run)
    assert match, run
    assert re.match(r'OpsAuthModule\(ARGUMENT_SPEC, ARGUMENT_RULES(, run_login=True)?\)\.run\(%s\)$' % match.group(1), call), call
