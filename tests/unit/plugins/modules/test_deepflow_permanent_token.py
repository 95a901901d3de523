# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""deepflow_permanent_token runs for real against the DeepFlow simulator served in-process, over HTTP and over exec.

The cases here are the ones a playbook cannot set up easily (a creation that fails after the deletion, a dest that
cannot be written); the happy paths are in the integration targets.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os
import re

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.opsauth.tokens.plugins.module_utils import _module
from ansible_collections.opsauth.tokens.plugins.modules import deepflow_permanent_token
from ansible_collections.opsauth.tokens.tests.unit.plugins.conftest import FAKE_BIN
from ansible_collections.opsauth.tokens.tests.unit.plugins.modules.conftest import fail_renames


def fuser_args(df, **extra):
    # fauths_url: where state=rotated proves the password before it deletes anything (fauths at the listener's root).
    return dict(dict(fuser_url=df.fuser_url, fauths_url=df.url, email='ops@example.com', password='Ops-Pass-1'), **extra)


# --- deepflow_permanent_token --------------------------------------------------------------------------------------


def test_rotated_that_fails_to_create_reports_the_deletion(df, run_module, tmp_path):
    created = run_module(deepflow_permanent_token, fuser_args(df))
    df.fault(method='POST', path='/v1/user/permanent_token', status=500)
    result = run_module(deepflow_permanent_token, fuser_args(df, state='rotated'))
    assert result['failed'] is True and 'SERVER_ERROR' in result['msg']
    assert result['changed'] is True and result['deleted'] == [created['lcuuid']]


def test_a_key_file_for_a_deleted_token_is_not_returned(df, run_module, tmp_path, monkeypatch):
    # Where a warning ends up depends on what else the test process imported (the result, or the controller's
    # display), so record it at the source.
    warnings = []
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))
    dest = str(tmp_path / 'key.json')
    first = run_module(deepflow_permanent_token, fuser_args(df, dest=dest))
    run_module(deepflow_permanent_token, fuser_args(df, state='absent'))   # deleted, but dest still holds the key
    run_module(deepflow_permanent_token, fuser_args(df))                   # someone makes a new one, key not kept
    result = run_module(deepflow_permanent_token, fuser_args(df, dest=dest))
    assert result['changed'] is False and result['lcuuid'] != first['lcuuid']
    assert result['token'] is None and result['headers'] == {} and result['reused'] is True
    assert len(warnings) == 1 and 'state=rotated' in warnings[0] and result['lcuuid'] in warnings[0]


def test_the_key_file_names_its_date_as_a_date(df, run_module, tmp_path):
    # One meaning per name: *_at is an epoch in every file of the collection, date_* the ISO 8601 form.
    dest = str(tmp_path / 'key.json')
    created = run_module(deepflow_permanent_token, fuser_args(df, dest=dest))
    with open(dest) as handle:
        stored = json.load(handle)
    assert stored['lcuuid'] == created['lcuuid'] and stored['token'] == created['token']
    assert created['date_created'] == stored['date_created'] and created['reused'] is False
    assert created['headers'] == {'Authorization': 'Bearer ' + created['token']}
    assert not [name for name in stored if name.endswith('_at')]
    assert datetime.datetime.fromisoformat(stored['date_created']).utcoffset() == datetime.timedelta(0)


def test_custom_api_path_and_identity_headers(df, run_module):
    result = run_module(deepflow_permanent_token, fuser_args(df, api_path='/v2/tokens/', user_id=5, user_type=3))
    assert result['failed'] is True and 'RESOURCE_NOT_FOUND' in result['msg']
    entry = df.requests()[-1]
    assert entry['path'] == '/v2/tokens'
    assert entry['headers']['x-user-id'] == '5' and entry['headers']['x-user-type'] == '3'


# --- deepflow_permanent_token over exec: curl in the front-end pod ---------------------------------------------------
# The one layer faked is the container runtime (tests/harness/fakes/kubectl and docker, by explicit path); the curl "in the pod"
# is tests/harness/fakes/curl, which reaches the in-process simulator as http://fuser:20824.

FRONT_END_POD = 'front-end-6c9d7b8f5-abcde'


LCUUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')


@pytest.fixture
def front_end(df, fake_runtime):
    """A fake cluster: a Running front-end pod (and a failed one) in namespace deepflow, and a docker container."""
    hosts = {'fuser:20824': df.fuser_url, 'fauths:20822': df.url}
    return fake_runtime({
        'containers': {'df-front-end': {'status': 'running', 'root': 'front_end', 'hosts': hosts}},
        'kubernetes': {'pods': [
            {'name': FRONT_END_POD, 'namespace': 'deepflow', 'labels': {'app': 'front-end'},
             'containers': ['front-end'], 'root': 'front_end', 'hosts': hosts},
            {'name': 'front-end-old', 'namespace': 'deepflow', 'labels': {'app': 'front-end'}, 'phase': 'Failed'},
            {'name': 'front-end-crashed', 'namespace': 'deepflow-broken', 'labels': {'app': 'front-end'},
             'phase': 'Failed'},
        ]}})


def kubectl_args(**extra):
    """What the role passes: no fuser_url of this host, the in-cluster default http://fuser:20824. None leaves one out."""
    args = dict(dict(runtime='kubectl', namespace='deepflow', pod_selector='app=front-end',
                     kubectl_binary=os.path.join(FAKE_BIN, 'kubectl'), email='ops@example.com', password='Ops-Pass-1'), **extra)
    return dict((name, value) for name, value in args.items() if value is not None)


def lifecycle(df, run_module, args, dest):
    """present, present, check-mode rotated, rotated, check-mode absent, absent, absent: results and fuser logs."""
    steps = [({}, False), ({}, False), ({'state': 'rotated'}, True), ({'state': 'rotated'}, False),
             ({'state': 'absent'}, True), ({'state': 'absent'}, False), ({'state': 'absent'}, False)]
    results, logs = [], []
    for extra, check_mode in steps:
        df.clear_log()
        results.append(run_module(deepflow_permanent_token, dict(args, dest=dest, **extra), check_mode=check_mode))
        logs.append([(method, LCUUID.sub('<lcuuid>', path), status) for method, path, status in df.log('fuser')])
    return results, logs


def test_over_exec_the_module_does_exactly_what_it_does_over_http(df, front_end, run_module, tmp_path):
    direct, direct_logs = lifecycle(df, run_module, fuser_args(df), str(tmp_path / 'direct.json'))
    df.reset()
    over_exec, exec_logs = lifecycle(df, run_module, kubectl_args(), str(tmp_path / 'exec.json'))
    assert exec_logs == direct_logs
    assert exec_logs == [[('GET', '/v1/user/permanent_token', 200), ('POST', '/v1/user/permanent_token', 200)],
                         [('GET', '/v1/user/permanent_token', 200)],
                         [('GET', '/v1/user/permanent_token', 200)],
                         [('GET', '/v1/user/permanent_token', 200), ('DELETE', '/v1/user/permanent_token/<lcuuid>', 200),
                          ('POST', '/v1/user/permanent_token', 200)],
                         [('GET', '/v1/user/permanent_token', 200)],
                         [('GET', '/v1/user/permanent_token', 200), ('DELETE', '/v1/user/permanent_token/<lcuuid>', 200)],
                         [('GET', '/v1/user/permanent_token', 200)]]
    for via_http, via_exec in zip(direct, over_exec):
        assert via_exec.pop('pod') == FRONT_END_POD and 'pod' not in via_http
        assert sorted(via_exec) == sorted(via_http)
        assert via_exec['changed'] == via_http['changed'] and len(via_exec['deleted']) == len(via_http['deleted'])
    assert [result['changed'] for result in over_exec] == [True, False, True, True, True, True, False]
    created, again, dummy, rotated = over_exec[:4]
    assert created['token'].startswith('gAAAA') and again['token'] == created['token']
    assert rotated['deleted'] == [created['lcuuid']] and rotated['token'] != created['token']
    assert not os.path.exists(str(tmp_path / 'exec.json'))


def test_over_exec_curl_in_the_pod_sends_the_password_on_stdin_only(df, front_end, run_module):
    result = run_module(deepflow_permanent_token, kubectl_args())
    assert result['changed'] is True and result['pod'] == FRONT_END_POD
    entries = df.requests()
    # It really was curl in the pod asking for fuser:20824, with the identity headers and the body it read on stdin.
    assert [entry['headers']['host'] for entry in entries] == ['fuser:20824', 'fuser:20824']
    assert all(entry['headers']['user-agent'].startswith('curl/') for entry in entries)
    assert all(entry['headers']['x-user-id'] == '1' and entry['headers']['x-user-type'] == '1' for entry in entries)
    assert entries[1]['body'] == {'email': 'ops@example.com', 'password': 'Ops-Pass-1'}
    argvs = [call['argv'] for call in front_end.calls()]
    # The pod is looked up once per run, then one exec per request; nothing secret on any command line.
    assert argvs[0] == ['kubectl', '-n', 'deepflow', 'get', 'pods', '-l', 'app=front-end', '-o', 'json']
    assert argvs[2] == ['kubectl', '-n', 'deepflow', 'exec', '-i', FRONT_END_POD, '--', 'curl', '-q', '-sS', '--max-redirs',
                        '0', '--proto', '=http,https', '-X', 'POST', '--max-time', '30', '--max-filesize', '8388608',
                        '-H', 'X-User-Id: 1', '-H', 'X-User-Type: 1',
                        '-H', 'Content-Type: application/json', '--data-binary', '@-',
                        '-w', '\\n%{redirect_url}\\n%{http_code}',
                        'http://fuser:20824/v1/user/permanent_token']
    assert len(argvs) == 3 and argvs[1][5:14] == [FRONT_END_POD, '--', 'curl', '-q', '-sS', '--max-redirs', '0',
                                                  '--proto', '=http,https']
    assert argvs[1][-1] == 'http://fuser:20824/v1/user/permanent_token?email=ops%40example.com'
    assert 'Ops-Pass-1' not in json.dumps(argvs) and result['token'] not in json.dumps(argvs)


def test_over_exec_the_requests_library_is_not_needed(df, front_end, run_module, monkeypatch):
    monkeypatch.setattr(_module, 'HAS_REQUESTS', False)  # the frame reports the missing library
    assert run_module(deepflow_permanent_token, kubectl_args())['changed'] is True
    direct = run_module(deepflow_permanent_token, fuser_args(df))
    assert direct['failed'] is True and 'requests' in direct['msg']


def test_over_docker_exec_too(df, front_end, run_module):
    result = run_module(deepflow_permanent_token, dict(runtime='docker', container='df-front-end', email='ops@example.com',
                                                       password='Ops-Pass-1', docker_binary=os.path.join(FAKE_BIN, 'docker')))
    assert result['changed'] is True and result['token'].startswith('gAAAA') and 'pod' not in result
    assert [call['argv'][:4] for call in front_end.calls()] == [['docker', 'exec', '-i', 'df-front-end']] * 2


@pytest.mark.parametrize('extra, message', [
    (dict(namespace='deepflow-broken'),
     'no Running pod in namespace deepflow-broken matches the label selector app=front-end; found: front-end-crashed (Failed)'),
    (dict(namespace='elsewhere'), 'no pod in namespace elsewhere matches the label selector app=front-end'),
    (dict(pod_selector=None, pod='front-end-gone'), 'pod front-end-gone in namespace deepflow does not exist'),
    (dict(pod_selector=None, pod='front-end-old'), 'pod front-end-old in namespace deepflow has completed (phase Failed)'),
    (dict(runtime=None), 'namespace, pod_selector given without runtime'),
    (dict(pod_selector=None), 'runtime=kubectl needs pod'),
])
def test_over_exec_a_missing_pod_is_one_clear_line_and_nothing_reaches_fuser(df, front_end, run_module, extra, message):
    result = run_module(deepflow_permanent_token, kubectl_args(**extra))
    assert result['failed'] is True and result['changed'] is False
    assert message in result['msg'] and '\n' not in result['msg']
    assert df.log() == []


def test_over_exec_failures_name_deepflows_status_or_curls_error_never_the_password(df, front_end, run_module):
    wrong = run_module(deepflow_permanent_token, kubectl_args(password='Wrong-Pass-9'))
    assert wrong['failed'] is True and wrong['changed'] is False
    assert 'HTTP 400, OPT_STATUS INVALID_PARAMETERS: email or password error' in wrong['msg']
    front_end.state['kubernetes']['pods'][0]['hosts'] = {'fuser:20824': 'http://127.0.0.1:9'}
    front_end.save()
    down = run_module(deepflow_permanent_token, kubectl_args())
    assert down['failed'] is True and "Couldn't connect" in down['msg'] and FRONT_END_POD in down['msg']
    assert 'Wrong-Pass-9' not in json.dumps([wrong, down]) and 'Ops-Pass-1' not in json.dumps([wrong, down])


@pytest.mark.parametrize('where', ['a-file/key.json', 'a-directory'])
def test_rotated_with_an_unwritable_dest_deletes_nothing(df, run_module, tmp_path, where):
    (tmp_path / 'a-directory').mkdir()
    (tmp_path / 'a-file').write_text('')
    created = run_module(deepflow_permanent_token, fuser_args(df))
    df.clear_log()
    result = run_module(deepflow_permanent_token, fuser_args(df, state='rotated', dest=str(tmp_path / where)))
    assert result['failed'] is True and result['changed'] is False and result['deleted'] == []
    assert 'is not a directory' in result['msg'] or 'is a directory' in result['msg']
    assert df.log() == [('GET', '/v1/user/permanent_token', 200)]  # no DELETE, no POST
    again = run_module(deepflow_permanent_token, fuser_args(df))
    assert again['lcuuid'] == created['lcuuid']


def test_rotated_whose_write_fails_after_the_create_returns_the_new_key(df, run_module, tmp_path, monkeypatch):
    dest = str(tmp_path / 'key.json')
    created = run_module(deepflow_permanent_token, fuser_args(df, dest=dest))
    df.clear_log()
    fail_renames(monkeypatch)
    result = run_module(deepflow_permanent_token, fuser_args(df, state='rotated', dest=dest))
    assert result['failed'] is True and result['changed'] is True
    assert result['deleted'] == [created['lcuuid']]
    assert result['token'].startswith('gAAAA') and result['lcuuid'] != created['lcuuid']
    assert 'No space left on device' in result['msg'] and 'the new credential is in this failed result' in result['msg']
    assert [(method, path) for method, path, dummy in df.log()] == [
        ('GET', '/v1/user/permanent_token'), ('POST', '/login'), ('POST', '/logout'),
        ('DELETE', '/v1/user/permanent_token/' + created['lcuuid']), ('POST', '/v1/user/permanent_token')]
    with open(dest) as handle:
        assert json.load(handle)['token'] == created['token']  # the old file is whole, not half a new one


# --- issue 17: state=rotated proves the password before it deletes the only permanent token ----------------------------


@pytest.mark.parametrize('over', ['http', 'kubectl'])
def test_rotated_with_a_wrong_password_deletes_nothing(df, front_end, run_module, tmp_path, over):
    """Before: the old token was deleted, then fuser refused the create: the account was left with none."""
    dest = str(tmp_path / 'key.json')
    args = fuser_args(df) if over == 'http' else kubectl_args()
    created = run_module(deepflow_permanent_token, dict(args, dest=dest))
    df.clear_log()
    failed = run_module(deepflow_permanent_token, dict(args, dest=dest, state='rotated', password='Wrong-Pass-1'))
    assert failed['failed'] and failed['changed'] is False and failed['deleted'] == []
    assert 'nothing was deleted' in failed['msg'] and failed['error_code'] == 'password_not_proved'
    assert failed['server_error_code'] == 'INVALID_PARAMETERS'
    assert 'Wrong-Pass-1' not in json.dumps(failed)
    assert df.log() == [
        ('GET', '/v1/user/permanent_token', 200), ('POST', '/login', 400)]
    again = run_module(deepflow_permanent_token, dict(args, dest=dest))
    assert again['lcuuid'] == created['lcuuid'] and again['token'] == created['token']
    if over == 'kubectl':
        assert df.app.find_requests(path='/login')[0]['headers']['host'] == 'fauths:20822'  # from the pod


def test_rotated_with_the_right_password_logs_in_and_out_then_replaces(df, run_module, tmp_path):
    created = run_module(deepflow_permanent_token, fuser_args(df))
    df.clear_log()
    result = run_module(deepflow_permanent_token, fuser_args(df, state='rotated'))
    assert result['changed'] and result['deleted'] == [created['lcuuid']]
    assert [(method, path) for method, path, dummy in df.log()] == [
        ('GET', '/v1/user/permanent_token'), ('POST', '/login'), ('POST', '/logout'),
        ('DELETE', '/v1/user/permanent_token/' + created['lcuuid']), ('POST', '/v1/user/permanent_token')]


def test_rotated_without_a_fauths_to_prove_the_password_is_refused_before_any_delete(df, run_module):
    args = fuser_args(df)
    del args['fauths_url']
    created = run_module(deepflow_permanent_token, args)
    df.clear_log()
    failed = run_module(deepflow_permanent_token, dict(args, state='rotated'))
    assert failed['failed'] and 'set url (the DeepFlow controller) or fauths_url' in failed['msg']
    assert df.log() == [('GET', '/v1/user/permanent_token', 200)]
    assert run_module(deepflow_permanent_token, args)['lcuuid'] == created['lcuuid']


def test_the_first_permanent_token_needs_no_proof(df, run_module):
    """Nothing to delete: fuser's create itself refuses a wrong password, and nothing is lost."""
    args = fuser_args(df)
    del args['fauths_url']
    result = run_module(deepflow_permanent_token, dict(args, state='rotated'))
    assert result['changed'] and [m for m, dummy, dummy in df.log()] == ['GET', 'POST']


def test_a_key_file_of_another_account_is_not_replaced_without_force(df, run_module, tmp_path, monkeypatch):
    # Issue 18, item 2: dest records whose key it holds; another account's run is refused before anything is sent.
    dest = tmp_path / 'key.json'
    ops = run_module(deepflow_permanent_token, fuser_args(df, dest=str(dest)))
    assert json.loads(dest.read_text())['identity']['user'] == 'ops@example.com'
    df.clear_log()
    dev = dict(email='dev@yunshan.net.cn', password='dev-pwd')
    refused = run_module(deepflow_permanent_token, fuser_args(df, dest=str(dest), **dev))
    assert refused['failed'] is True and refused['error_code'] == 'other_identity' and df.log() == []
    assert 'holds the deepflow_permanent_token credential of ops@example.com' in refused['msg']
    assert 'set force=true to replace it' in refused['msg']
    assert json.loads(dest.read_text())['token'] == ops['token']
    # state=absent would delete dev's tokens and then remove ops's key file: refused the same way, nothing sent.
    kept = run_module(deepflow_permanent_token, fuser_args(df, dest=str(dest), state='absent', **dev))
    assert kept['failed'] is True and kept['error_code'] == 'other_identity' and df.log() == []
    assert json.loads(dest.read_text())['token'] == ops['token']
    warnings = []
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))
    forced = run_module(deepflow_permanent_token, fuser_args(df, dest=str(dest), force=True, **dev))
    assert forced['changed'] is True and forced['token'] != ops['token']
    assert len(warnings) == 1 and 'force=true' in warnings[0] and 'ops@example.com' in warnings[0]
    assert json.loads(dest.read_text())['identity']['user'] == 'dev@yunshan.net.cn'


def test_the_same_accounts_key_file_from_another_fuser_address_is_kept_when_fuser_lists_it(df, run_module, tmp_path):
    # One DeepFlow reached two ways (a direct fuser URL, the in-cluster one over kubectl exec) records two addresses in
    # one file; the example playbooks share it. It is this server's key when fuser lists its lcuuid, else refused.
    dest = tmp_path / 'key.json'
    created = run_module(deepflow_permanent_token, fuser_args(df, dest=str(dest)))
    stored = json.loads(dest.read_text())
    stored['identity']['server'] = 'http://fuser:20824'   # as the kubectl exec path records it
    dest.write_text(json.dumps(stored))
    df.clear_log()
    kept = run_module(deepflow_permanent_token, fuser_args(df, dest=str(dest)))
    assert kept['changed'] is False and kept['token'] == created['token'] and kept['lcuuid'] == created['lcuuid']
    assert [method for method, dummy, dummy in df.log()] == ['GET']   # one listing serves the check and the run
    # The token is gone and another made without dest: the file's key is not one of this server's tokens.
    run_module(deepflow_permanent_token, fuser_args(df, state='absent'))
    run_module(deepflow_permanent_token, fuser_args(df))
    df.clear_log()
    for state in ('present', 'absent', 'rotated'):
        refused = run_module(deepflow_permanent_token, fuser_args(df, dest=str(dest), state=state))
        assert refused['failed'] is True and refused['error_code'] == 'other_identity', state
        assert 'only its permanent tokens were listed, nothing was changed' in refused['msg']
    assert set(method for method, dummy, dummy in df.log()) == {'GET'}
    assert json.loads(dest.read_text())['token'] == created['token']
