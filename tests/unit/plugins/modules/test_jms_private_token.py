# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""opsauth.tokens.jms_private_token end to end: the module, the fake docker/kubectl of tests/harness/fakes (by explicit path),
the fake manage.py in the fake container, and the JumpServer simulator (in-process) holding the private tokens."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils._results import PLACEHOLDER
from ansible_collections.opsauth.tokens.plugins.modules import jms_private_token
from ansible_collections.opsauth.tokens.tests.unit.plugins.conftest import FAKE_BIN

SEED_ADMIN_TOKEN_PREFIX = '937b3801'
CORE_LABELS = {'app.kubernetes.io/name': 'jumpserver', 'app.jumpserver.org/name': 'jms-core'}


@pytest.fixture
def world(jms, fake_runtime):
    return fake_runtime({'containers': {'jms_core': {'status': 'running', 'jms_url': jms.url},
                                        'jms_stopped': {'status': 'exited', 'jms_url': jms.url}},
                         'kubernetes': {'pods': [{'name': 'jms-core-5f7c9', 'namespace': 'jumpserver',
                                                  'labels': CORE_LABELS, 'containers': ['core'], 'jms_url': jms.url}]}})


def docker(**extra):
    return dict(dict(runtime='docker', container='jms_core', docker_binary=os.path.join(FAKE_BIN, 'docker'), username='alice'), **extra)


def many(usernames, **extra):
    args = docker(usernames=usernames, **extra)
    del args['username']
    return args


def sim_token(jms, username):
    with jms.app.lock:
        token = jms.app.private_tokens.get(username)
        return token and token['key']


def test_present_creates_then_returns_the_same_token(jms, world, run_module):
    first = run_module(jms_private_token, docker())
    assert first['changed'] is True and first['created'] is True and first['existed'] is False
    assert len(first['token']) == 40 and first['token'] == sim_token(jms, 'alice')
    assert first['username'] == 'alice' and first['date_created'].startswith('20') and first['date_created'].endswith('+00:00')
    assert first['headers'] == {'Authorization': 'Token ' + first['token']} and first['reused'] is False
    assert first['error_code'] is None
    assert first['msg'] == 'created a private token for alice'
    second = run_module(jms_private_token, docker())
    assert second['changed'] is False and second['created'] is False and second['existed'] is True
    assert second['token'] == first['token'] and second['reused'] is True


def test_rotated_replaces_the_token(jms, world, run_module):
    first = run_module(jms_private_token, docker())
    rotated = run_module(jms_private_token, docker(state='rotated'))
    assert rotated['changed'] is True and rotated['created'] is True and rotated['token'] != first['token']
    assert sim_token(jms, 'alice') == rotated['token']


def test_absent_deletes_once(jms, world, run_module):
    run_module(jms_private_token, docker())
    gone = run_module(jms_private_token, docker(state='absent'))
    assert gone['changed'] is True and 'token' not in gone and sim_token(jms, 'alice') is None
    again = run_module(jms_private_token, docker(state='absent'))
    assert again['changed'] is False and again['msg'] == 'alice has no private token'


def test_check_mode_only_reads(jms, world, run_module):
    would = run_module(jms_private_token, docker(), check_mode=True, diff=True)
    assert would['changed'] is True and sim_token(jms, 'alice') is None
    # Issue 18: the keys of a real run, placeholder values, so that the next task can template them.
    assert would['token'] == PLACEHOLDER and would['headers'] == {'Authorization': 'Token ' + PLACEHOLDER}
    assert would['date_created'].endswith('+00:00') and would['reused'] is False
    assert would['diff'] == {'before': {'username': 'alice', 'has_private_token': False},
                             'after': {'username': 'alice', 'has_private_token': True, 'rotated': False}}
    made = run_module(jms_private_token, docker())
    existing = run_module(jms_private_token, docker(), check_mode=True)
    assert existing['changed'] is False and existing['token'] == made['token']
    assert sorted(set(made) - {'invocation'}) == sorted(set(would) - {'invocation', 'diff'})
    assert run_module(jms_private_token, docker(state='rotated'), check_mode=True)['changed'] is True
    assert run_module(jms_private_token, docker(state='absent'), check_mode=True)['changed'] is True
    assert sim_token(jms, 'alice') == made['token']


def test_unknown_user_is_named(world, run_module):
    result = run_module(jms_private_token, docker(username='nobody'))
    assert result['failed'] is True
    assert result['msg'].startswith('JumpServer has no user named "nobody"')


def test_container_not_running_or_missing(world, run_module):
    result = run_module(jms_private_token, docker(container='jms_stopped'))
    assert result['failed'] and 'docker container jms_stopped is not running' in result['msg']
    result = run_module(jms_private_token, docker(container='jms_gone'))
    assert result['failed'] and 'docker container jms_gone does not exist' in result['msg']


def test_kubernetes_pod_found_by_labels(jms, world, run_module):
    selector = 'app.kubernetes.io/name=jumpserver,app.jumpserver.org/name=jms-core'
    result = run_module(jms_private_token, dict(runtime='kubectl', namespace='jumpserver', pod_selector=selector,
                                                kubectl_binary=os.path.join(FAKE_BIN, 'kubectl'), username='admin'))
    assert result['changed'] is False and result['token'].startswith(SEED_ADMIN_TOKEN_PREFIX)
    assert result['pod'] == 'jms-core-5f7c9'
    missing = run_module(jms_private_token, dict(runtime='kubectl', namespace='jumpserver', pod='jms-core-0',
                                                 kubectl_binary=os.path.join(FAKE_BIN, 'kubectl'), username='admin'))
    assert missing['failed'] and 'pods "jms-core-0" not found' in missing['msg']


def test_url_proves_the_token_works(jms, world, run_module):
    result = run_module(jms_private_token, docker(url=jms.url))
    assert result['verified'] is True
    profile = jms.requests('GET', '/api/v1/users/profile/')
    assert len(profile) == 1 and profile[0]['status'] == 200
    assert profile[0]['headers']['authorization'] == 'Token ' + result['token']
    unreachable = run_module(jms_private_token, docker(url='http://127.0.0.1:9'))
    assert unreachable['failed'] is True and 'token' not in unreachable and unreachable['changed'] is False


def test_rotate_whose_check_fails_reports_the_change_and_returns_the_new_token(jms, world, run_module):
    first = run_module(jms_private_token, docker())
    rotated = run_module(jms_private_token, docker(state='rotated', url='http://127.0.0.1:9'))
    assert rotated['failed'] is True and rotated['changed'] is True and rotated['created'] is True
    assert rotated['token'] == sim_token(jms, 'alice') != first['token']
    assert 'rotated the private token of alice, but the check against http://127.0.0.1:9 failed' in rotated['msg']
    assert rotated['token'] not in rotated['msg']


def test_usernames_in_one_exec(jms, world, run_module):
    names = ['alice', 'admin', 'user0001', 'user0002', 'user0003']
    result = run_module(jms_private_token, many(names, url=jms.url))
    assert result['changed'] is True and result['verified'] is True and sorted(result['tokens']) == sorted(names)
    assert all(result['tokens'][name] == sim_token(jms, name) for name in names)
    assert result['users']['admin'] == dict(changed=False, created=False, existed=True, verified=True,
                                            date_created=result['users']['admin']['date_created'])
    assert result['users']['alice']['created'] and not result['users']['admin']['created']
    assert len([call for call in world.calls() if call.get('prog') == 'docker']) == 1
    again = run_module(jms_private_token, many(names))
    assert again['changed'] is False and again['tokens'] == result['tokens']


def test_usernames_with_unknown_users_changes_nothing(jms, world, run_module):
    result = run_module(jms_private_token, many(['alice', 'ghost', 'nobody'], state='rotated'))
    assert result['failed'] and 'no user named "ghost", "nobody"' in result['msg'] and 'nothing was changed' in result['msg']
    assert sim_token(jms, 'alice') is None and result['usernames'] == ['alice', 'ghost', 'nobody']


def test_username_and_usernames_exclude_each_other(jms, world, run_module):
    result = run_module(jms_private_token, dict(docker(), usernames=['bob']))
    assert result['failed'] and 'mutually exclusive' in result['msg']
    assert world.calls() == []


def test_neither_token_nor_username_on_any_command_line(jms, world, run_module):
    result = run_module(jms_private_token, docker(username='argv-check'), check_mode=False)
    assert result['failed']  # no such user: the point is what reached the command line
    first = run_module(jms_private_token, docker(state='rotated'))
    argvs = [call['argv'] for call in world.calls() if 'argv' in call]
    text = json.dumps(argvs)
    assert len(argvs) == 2 and all(argv[:4] == ['docker', 'exec', '-i', 'jms_core'] for argv in argvs)
    assert 'argv-check' not in text and first['token'] not in text and 'alice' not in text
    # ...while the fake models did get both names, as data
    lookups = [call['lookup'] for call in world.calls() if call.get('prog') == 'manage.py']
    assert 'argv-check' in lookups and 'alice' in lookups


def test_option_mistakes_fail_before_anything_runs(world, run_module):
    result = run_module(jms_private_token, docker(state='absent', rotate=True))
    assert result['failed'] and 'Unsupported parameters' in result['msg'] and 'rotate' in result['msg']
    result = run_module(jms_private_token, dict(runtime='docker', username='alice'))
    assert result['failed'] and 'runtime=docker needs container' in result['msg']
    result = run_module(jms_private_token, docker(docker_binary='/nonexistent/docker'))
    assert result['failed'] and 'docker_binary /nonexistent/docker does not exist' in result['msg']
    assert not os.path.exists(world.log)


def test_v3_prints_allowed_hosts_on_stdout_and_the_job_still_reads_its_line(jms_v3_server, fake_runtime, run_module):
    from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec import ExecTarget
    from ansible_collections.opsauth.tokens.plugins.module_utils.jumpserver._jms_private_token import build_command, build_request
    jms_v3_server.reset()
    fake_runtime({'containers': {'jms_core': {'status': 'running', 'jms_url': jms_v3_server.url}}})
    raw = ExecTarget(runtime='docker', container='jms_core', docker_binary=os.path.join(FAKE_BIN, 'docker')).run(
        build_command(), stdin=build_request(['alice'], check=True, nonce='b' * 32))
    assert len([text for text in raw.stdout.splitlines() if text.startswith('ALLOWED_HOSTS: ')]) == 18
    result = run_module(jms_private_token, many(['alice', 'admin'], url=jms_v3_server.url))
    assert result['changed'] and result['verified'] and result['tokens']['admin'].startswith(SEED_ADMIN_TOKEN_PREFIX)
