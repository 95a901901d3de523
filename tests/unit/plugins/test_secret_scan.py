# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/harness/target_helpers/secret_scan.py: it finds a leak, it leaves out only the harness's deliberate output, it fails closed."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib.util
import json
import os

import pytest
import requests

from ansible_collections.opsauth.tokens.tests.unit.plugins.conftest import DeepFlow, _serve

SCANNER = os.path.join(os.path.dirname(__file__), '..', '..', 'harness', 'target_helpers', 'secret_scan.py')
SPEC = importlib.util.spec_from_file_location('secret_scan', SCANNER)
secret_scan = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(secret_scan)


def issue_tokens(jms, df):
    """A bearer token from JumpServer and a token pair from DeepFlow, as any run would get them."""
    jms_token = requests.post(jms.url + '/api/v1/authentication/auth/', json={'username': 'admin', 'password': 'Adm1n-Pass!'},
                              timeout=10).json()['token']
    df_token = requests.post(df.url + '/login', json={'grant_type': 'password', 'email': 'ops@example.com',
                                                      'password': 'Ops-Pass-1'}, timeout=10).json()['DATA']['access_token']
    return jms_token, df_token


def state_dir(tmp_path, jms_url, df_url):
    (tmp_path / 'state').mkdir()
    with open(str(tmp_path / 'state' / 'endpoints.json'), 'w') as handle:
        json.dump({'jms_url': jms_url, 'jms_tls_url': jms_url, 'deepflow_url': df_url}, handle)
    return str(tmp_path / 'state')


def write(tmp_path, name, text):
    path = str(tmp_path / name)
    with open(path, 'w') as handle:
        handle.write(text)
    return path


def module_result(module_file, result):
    return '\n'.join(['TASK [Call something] ****', 'Using module file %s' % module_file,
                      'ok: [localhost] => ' + json.dumps(result, indent=4)])


def test_the_results_of_other_collections_modules_are_the_harness(jms, df, tmp_path):
    jms_token = issue_tokens(jms, df)[0]
    state = state_dir(tmp_path, jms.url, df.url)
    result = {'json': {'secret': jms_token}, 'invocation': {'module_args': {'body': {'password': 'Adm1n-Pass!'}}}}
    uri = write(tmp_path, 'uri.log', module_result('/tmp/x/ansible/modules/uri.py', result) + '\n')
    assert secret_scan.main(['--ansible-output', '--state', state, uri]) == 0
    ours = module_result('/b/ansible_collections/opsauth/tokens/plugins/modules/jms_request.py', result)
    # The same result from this collection's module is a leak; so is the next task's, whatever the module before.
    assert secret_scan.main(['--ansible-output', '--state', state, write(tmp_path, 'ours.log', ours + '\n')]) == 1
    after = module_result('/tmp/x/ansible/modules/uri.py', {}) + '\nTASK [Next] ****\nok: [localhost] => ' + json.dumps(
        {'msg': 'refused %s' % jms_token}, indent=4) + '\n'
    assert secret_scan.main(['--ansible-output', '--state', state, write(tmp_path, 'after.log', after)]) == 1


def ansible_log(token, msg='', extra_line=''):
    """What ansible-playbook -vvv prints for a task that returns a token, and a read of the simulator's log."""
    result = {'changed': True, 'token': token, 'headers': {'Authorization': 'Bearer ' + token}, 'msg': msg}
    sim_read = {'url': 'http://127.0.0.1:1/_sim/requests', 'json': {'requests': [
        {'seq': 1, 'client': '127.0.0.1', 'method': 'POST', 'path': '/x', 'headers': {}, 'body': {'password': 'Adm1n-Pass!'}}]}}
    return '\n'.join([
        'TASK [Log in as admin with Adm1n-Pass!] ****',
        "<127.0.0.1> EXEC /bin/sh -c 'JMS_PASSWORD=Adm1n-Pass! /usr/bin/python && sleep 0'",
        'changed: [localhost] => ' + json.dumps(result, indent=4),
        'ok: [localhost] => ' + json.dumps(sim_read, indent=4),
        extra_line, ''])


def test_a_leak_is_found_and_the_harness_output_is_not_one(jms, df, tmp_path, capsys):
    jms_token, df_token = issue_tokens(jms, df)
    state = state_dir(tmp_path, jms.url, df.url)
    clean = write(tmp_path, 'clean.log', ansible_log(jms_token))
    assert secret_scan.main(['--ansible-output', '--state', state, clean]) == 0
    # Without --ansible-output (the example playbooks' mode) the same output is a leak: the token is printed.
    assert secret_scan.main(['--state', state, clean]) == 1
    for leaky in (ansible_log(jms_token, msg='refused token %s' % jms_token),
                  ansible_log(jms_token, msg='login failed for admin/Adm1n-Pass!'),
                  ansible_log(jms_token, extra_line='[WARNING]: DeepFlow rejected %r' % (df_token + '\n')),
                  ansible_log(jms_token, msg=json.dumps({'escaped': df_token + '\r\n'}))):
        capsys.readouterr()
        assert secret_scan.main(['--ansible-output', '--state', state, write(tmp_path, 'leak.log', leaky)]) == 1
        err = capsys.readouterr().err
        assert 'leak.log line' in err and jms_token not in err and df_token not in err and 'Adm1n-Pass!' not in err


def test_the_scan_fails_closed(jms, df, tmp_path):
    issue_tokens(jms, df)
    state = state_dir(tmp_path, jms.url, df.url)
    log = write(tmp_path, 'run.log', 'nothing secret here\n')
    assert secret_scan.main(['--state', state, log]) == 0
    assert secret_scan.main(['--state', state, write(tmp_path, 'empty.log', '')]) == 2
    assert secret_scan.main(['--state', state, str(tmp_path / 'missing.log')]) == 2
    assert secret_scan.main(['--state', str(tmp_path), log]) == 2  # no endpoints.json
    assert secret_scan.main(['--state', state, '--min', '100000', log]) == 2
    (tmp_path / 'other').mkdir()
    gone = state_dir(tmp_path / 'other', jms.url, 'http://127.0.0.1:9')
    assert secret_scan.main(['--state', gone, log]) == 2  # a simulator that does not answer


def test_a_simulator_that_issued_nothing_makes_the_scan_void(jms, tmp_path):
    server = _serve(DeepFlow, 'deepflow', 'DeepFlowSim', ['fauths', 'fuser'], [])
    fresh = next(server)
    try:
        state = state_dir(tmp_path, jms.url, fresh.url)
        assert secret_scan.main(['--state', state, write(tmp_path, 'run.log', 'output\n')]) == 2
    finally:
        with pytest.raises(StopIteration):
            next(server)
