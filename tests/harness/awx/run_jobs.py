# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make awx: run tests/harness/awx/project/awx_job.yml through ansible-runner the way AWX runs a job template.

Usage: run_jobs.py OUT_DIR COLLECTIONS_PATH
Starts the simulators on 127.0.0.1; for each job below, renders the credential types' injectors from sample inputs
(awx_rules.inject, AWX's sandboxed rendering), writes the private data dir (env/envvars, env/extravars,
env/passwords, env/settings, inventory, project) and runs it with ansible_runner.run(). A job passes when the run
is successful, the simulators answered the JumpServer profile call with the injected credential's auth scheme, and
no secret input appears in the job's stdout or events. COLLECTIONS_PATH holds the collection (the installed
tarball: an EE has it installed, not a source tree).
"""
from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path[:0] = [HERE, os.path.join(ROOT, 'tests', 'simulators')]
import awx_rules  # noqa: E402  pylint: disable=wrong-import-position
import ansible_runner  # noqa: E402  pylint: disable=wrong-import-position
import run as simulators  # noqa: E402  pylint: disable=wrong-import-position,import-error

# The simulators' seeded accounts (tests/simulators): what an admin would type into the credentials.
JMS_ADMIN = {'username': 'admin', 'password': 'Adm1n-Pass!'}
JMS_ACCESS_KEY = {'access_key_id': '8f1a1c2e-0000-4000-8000-000000000001',
                  'access_key_secret': '0b1f9a7e-5c1d-4e0f-9a2b-3c4d5e6f7a8b'}
JMS_PRIVATE_TOKEN = {'private_token': '937b38011acf499eb474e2fecb424ab3937b3801'}
DEEPFLOW_ADMIN = {'email': 'admin@deepflow.local', 'password': 'Df-Admin-Pass-1'}
# (job name, JumpServer inputs, ansible-playbook tags, the Authorization scheme the profile call must carry)
JOBS = [
    ('password', JMS_ADMIN, None, 'Bearer'),
    # JumpServer over HTTPS with a private CA given in the credential's CA certificate input (a file injector).
    ('private CA', dict(JMS_ADMIN, tls=True), 'any_auth', 'Bearer'),
    ('access key', JMS_ACCESS_KEY, 'any_auth', 'Signature'),
    ('private token', JMS_PRIVATE_TOKEN, 'any_auth', 'Token'),
]


def load_type(name):
    with open(os.path.join(ROOT, 'extensions', 'awx', 'credential_types', name), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def sim_requests(state, sim, **filters):
    return simulators.requests_log(state, sim, filters)['requests']


def run_job(out, name, jms_inputs, tags, scheme, state, endpoints, collections_path, world):
    jumpserver, deepflow = load_type('jumpserver.yml'), load_type('deepflow.yml')
    jms_inputs = dict(jms_inputs, url=endpoints['jms_url'], validate_certs=True)
    if jms_inputs.pop('tls', False):
        with open(endpoints['jms_ca_path'], encoding='utf-8') as handle:
            jms_inputs.update(url=endpoints['jms_tls_url'], ca_cert=handle.read())
    df_inputs = dict(DEEPFLOW_ADMIN, url=endpoints['deepflow_url'], validate_certs=True)
    pdd = os.path.join(out, 'job-' + name.replace(' ', '-'))
    awx_rules.write_private_data_dir(pdd, os.path.join(HERE, 'project'), {}, {}, '')
    env = {}
    for credential_type, inputs in ((jumpserver, jms_inputs), (deepflow, df_inputs)):
        injected, extra = awx_rules.inject(credential_type, inputs, pdd)  # file injectors write into pdd/env
        assert not extra
        env.update(injected)
    # What the EE provides rather than a credential: where the collection is, and the fakes' world.
    env.update(ANSIBLE_COLLECTIONS_PATH=collections_path, OPSAUTH_FAKE_STATE=world, ANSIBLE_FORCE_COLOR='0')
    inventory = 'localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable
    awx_rules.write_private_data_dir(pdd, os.path.join(HERE, 'project'), env, {'fake_bin': os.path.join(ROOT, 'tests', 'harness', 'fakes')},
                                     inventory, keep_env_files=True)
    simulators.reset(state, ('jms', 'jms_tls', 'deepflow'), state=True)
    result = ansible_runner.run(private_data_dir=pdd, playbook='awx_job.yml', tags=tags, quiet=True)
    stdout = result.stdout.read()
    events = '\n'.join(json.dumps(event) for event in result.events)
    problems = []
    if result.status != 'successful' or result.rc != 0:
        problems.append('status %s, rc %s:\n%s' % (result.status, result.rc, stdout[-4000:]))
    secrets = awx_rules.secret_values(jumpserver, jms_inputs) + awx_rules.secret_values(deepflow, df_inputs)
    leaked = [s for s in secrets if s in stdout or s in events]
    if leaked:
        problems.append('%d secret input(s) appear in the job output or events' % len(leaked))
    sim = 'jms_tls' if jms_inputs['url'] == endpoints.get('jms_tls_url') else 'jms'
    profile = sim_requests(state, sim, path='/api/v1/users/profile/', status=200)
    schemes = sorted(set(r['headers'].get('authorization', r['headers'].get('Authorization', '')).split(' ')[0]
                         for r in profile))
    if scheme not in schemes:
        problems.append('the profile call carried %s, not %s' % (schemes, scheme))
    logins = len(sim_requests(state, 'jms', method='POST', path='/api/v1/authentication/auth/'))
    df_logins = sum(1 for r in sim_requests(state, 'deepflow', method='POST') if r['path'].endswith('/login'))
    tasks = sum(1 for e in result.events if e.get('event') == 'runner_on_ok')
    print('AWX job "%s": %s, %d tasks ok, JumpServer logins %d, DeepFlow logins %d, profile auth %s%s'
          % (name, result.status, tasks, logins, df_logins, '/'.join(schemes),
             '' if not problems else '\n  ' + '\n  '.join(problems)))
    return not problems


def main(out, collections_path):
    out = os.path.abspath(out)
    os.makedirs(out, exist_ok=True)
    for name in list(os.environ):
        if name.startswith(('JMS_', 'DEEPFLOW_')):
            del os.environ[name]  # the job sees only what the credentials inject
    state = os.path.join(out, 'simulators')
    simulators.stop(state)
    endpoints = simulators.start(state)
    try:
        world = os.path.join(out, 'world.json')
        subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'harness', 'fakes', 'fake_world.py'),
                        os.path.join(state, 'endpoints.json'), world], check=True, stdout=subprocess.DEVNULL)
        results = [run_job(out, name, inputs, tags, scheme, state, endpoints, os.path.abspath(collections_path), world)
                   for name, inputs, tags, scheme in JOBS]
    finally:
        simulators.stop(state)
    # AWX's private data dir holds the secrets (env/envvars, and ansible-runner's artifacts/*/command): owner only.
    secret_files = glob.glob(os.path.join(out, 'job-*', 'env', '*'))
    secret_files += glob.glob(os.path.join(out, 'job-*', 'artifacts', '*', 'command'))
    for leftover in secret_files:
        if os.stat(leftover).st_mode & 0o077:
            print('%s is readable by others' % leftover)
            return 1
    print('AWX jobs: %d passed, %d failed' % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
