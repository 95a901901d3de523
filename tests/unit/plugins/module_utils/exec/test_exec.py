# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The exec transport: argv building, error recognition, pod discovery, the bounded process runner.

Commands really run, through the fake docker/podman/kubectl of tests/harness/fakes (always by explicit path); the one layer
faked is the container runtime. Curl inside a pod is tested in test_exec_curl.py.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sys
import time

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec import ExecTarget
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_errors import (
    ExecCommandFailed,
    ExecError,
    ExecOutputTooLarge,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_process import ExecResult
from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import REDACTED, redact
from ansible_collections.opsauth.tokens.tests.unit.plugins.conftest import FAKE_BIN
from ansible_collections.opsauth.tokens.tests.unit.plugins.error_table import raises_code

DOCKER, PODMAN, KUBECTL = (os.path.join(FAKE_BIN, name) for name in ('docker', 'podman', 'kubectl'))
SECRET = 'S3cret-Pa$$word-\'"-x'


def pod(name, namespace='apps', phase='Running', **extra):
    return dict(dict(name=name, namespace=namespace, labels={'app': 'web'}, phase=phase, containers=['main'],
                     root='front_end'), **extra)


@pytest.fixture
def world(tmp_path, fake_runtime):
    """The fake runtime's world (a FakeRuntime: change .state, then save(); read calls()), with a kubeconfig file."""
    kubeconfig = str(tmp_path / 'kubeconfig')
    with open(kubeconfig, 'w') as handle:
        handle.write('apiVersion: v1\nkind: Config\n')
    world = fake_runtime({'containers': {
        'web': {'status': 'running', 'root': 'front_end'},
        'stopped': {'status': 'exited'},
        'paused': {'status': 'paused'},
    }, 'kubernetes': {'contexts': ['kind-a', 'kind-b'], 'current_context': 'kind-a', 'pods': [
        pod('web-1', containers=['main', 'sidecar']),
        pod('done-1', phase='Succeeded'),
        pod('pending-1', phase='Pending'),
        pod('crash-1', stopped_containers=['main']),
        pod('only-b', context='kind-b'),
        pod('private', kubeconfig=kubeconfig),
    ]}})
    world.kubeconfig = kubeconfig
    return world


# --- argv -------------------------------------------------------------------------------------------------------------

def test_docker_and_podman_argv_is_exec_i_container_then_the_command():
    target = ExecTarget(runtime='docker', container='jms_core', docker_binary='/x/docker')
    assert target.command_argv(['python', '-c', 'print(1)']) == ['/x/docker', 'exec', '-i', 'jms_core', 'python', '-c', 'print(1)']
    target = ExecTarget(runtime='podman', container='jms_core', podman_binary='/x/podman')
    assert target.command_argv(['id']) == ['/x/podman', 'exec', '-i', 'jms_core', 'id']


def test_kubectl_argv_with_every_option_and_a_double_dash_before_the_command():
    target = ExecTarget(runtime='kubectl', namespace='jumpserver', pod='core-1', container='core', kubeconfig='/k/config',
                        context='prod', kubectl_binary='/x/kubectl')
    assert target.command_argv(['sh', '-c', 'echo "$1"', 'sh', '--not-a-kubectl-flag']) == [
        '/x/kubectl', '--kubeconfig', '/k/config', '--context', 'prod', '-n', 'jumpserver',
        'exec', '-i', 'core-1', '-c', 'core', '--', 'sh', '-c', 'echo "$1"', 'sh', '--not-a-kubectl-flag']


def test_kubectl_argv_leaves_out_what_is_not_given():
    target = ExecTarget(runtime='kubectl', pod='core-1', kubectl_binary='kubectl')
    assert target.command_argv(['true']) == ['kubectl', 'exec', '-i', 'core-1', '--', 'true']


def test_no_runtime_runs_the_command_itself():
    assert ExecTarget().command_argv(['sh', '-c', 'true']) == ['sh', '-c', 'true']


def test_never_a_tty_and_never_a_shell_string():
    for target in (ExecTarget(runtime='docker', container='c'), ExecTarget(runtime='kubectl', pod='p')):
        argv = target.command_argv(['cat'])
        assert '-t' not in argv and '-it' not in argv
        with raises_code('invalid_option'):
            target.command_argv('cat /etc/passwd')


@pytest.mark.parametrize('options, message', [
    (dict(runtime='docker'), 'needs container'),
    (dict(runtime='podman', container='c', pod='p'), 'only apply to runtime=kubectl'),
    (dict(runtime='kubectl'), 'needs pod'),
    (dict(runtime='kubectl', pod='p', pod_selector='app=x'), 'not both'),
    (dict(container='c'), 'without runtime'),
    (dict(runtime='lxc', container='c'), 'must be one of'),
    (dict(runtime='docker', container='--privileged'), 'must not start with "-"'),
    (dict(runtime='kubectl', pod='-n'), 'must not start with "-"'),
])
def test_validate_names_what_to_change(options, message):
    with raises_code('invalid_option', match=message):
        ExecTarget(**options).validate()


def test_from_params_reads_the_exec_spec_names():
    params = dict(runtime='kubectl', container=None, namespace='ns', pod=None, pod_selector='app=x', kubeconfig=None,
                  context='c', docker_binary='docker', podman_binary='podman', kubectl_binary='/k', exec_timeout=5,
                  unrelated='ignored')
    target = ExecTarget.from_params(params)
    assert (target.namespace, target.pod_selector, target.context, target.binaries['kubectl'], target.exec_timeout) == (
        'ns', 'app=x', 'c', '/k', 5)


def test_every_error_is_an_opsauth_error():
    for cls in (ExecOutputTooLarge, ExecCommandFailed):
        assert issubclass(cls, ExecError) and issubclass(cls, OpsAuthError)
    # the other ways an exec fails are ExecError itself, told apart by their code (docs/errors.md)
    assert ExecError('x', code='exec_timeout').failure()['error_code'] == 'exec_timeout'


# --- running through the fakes ----------------------------------------------------------------------------------------

def test_stdin_reaches_the_command_and_never_the_argv(world):
    target = ExecTarget(runtime='docker', container='web', docker_binary=DOCKER)
    result = target.run(['cat'], stdin=json.dumps({'password': SECRET}), secrets=[SECRET])
    assert json.loads(result.stdout) == {'password': SECRET}
    calls = world.calls()
    assert calls and calls[-1]['argv'] == ['docker', 'exec', '-i', 'web', 'cat']
    assert SECRET not in json.dumps(calls)


def test_kubectl_exec_through_the_fake_with_kubeconfig_and_context(world):
    target = ExecTarget(runtime='kubectl', namespace='apps', pod='private', kubeconfig=world.kubeconfig, context='kind-a',
                        kubectl_binary=KUBECTL)
    assert target.run(['cat'], stdin='hello').stdout == 'hello'
    assert world.calls()[-1]['argv'] == ['kubectl', '--kubeconfig', world.kubeconfig, '--context', 'kind-a', '-n', 'apps',
                                         'exec', '-i', 'private', '--', 'cat']
    # Without the kubeconfig the pod is not there: proof the option reached kubectl.
    with raises_code('exec_target_not_found', match='private'):
        ExecTarget(runtime='kubectl', namespace='apps', pod='private', kubectl_binary=KUBECTL).run(['true'])


def test_context_reaches_kubectl(world):
    assert ExecTarget(runtime='kubectl', namespace='apps', pod='only-b', context='kind-b',
                      kubectl_binary=KUBECTL).run(['true']).rc == 0
    with raises_code('exec_target_not_found'):
        ExecTarget(runtime='kubectl', namespace='apps', pod='only-b', kubectl_binary=KUBECTL).run(['true'])
    with raises_code('exec_runtime_unavailable', match='context "kind-z" does not exist'):
        ExecTarget(runtime='kubectl', namespace='apps', pod='web-1', context='kind-z', kubectl_binary=KUBECTL).run(['true'])


def test_kubectl_container_reaches_kubectl_and_the_default_container_notice_is_harmless(world):
    target = ExecTarget(runtime='kubectl', namespace='apps', pod='web-1', container='sidecar', kubectl_binary=KUBECTL)
    assert target.run(['true']).rc == 0
    assert world.calls()[-1]['argv'][-4:] == ['-c', 'sidecar', '--', 'true']
    result = ExecTarget(runtime='kubectl', namespace='apps', pod='web-1', kubectl_binary=KUBECTL).run(['echo', 'ok'])
    assert result.stdout == 'ok\n' and 'Defaulted container "main"' in result.stderr


@pytest.mark.parametrize('runtime, binary, container, error, words', [
    ('docker', DOCKER, 'missing', 'exec_target_not_found', 'docker container missing does not exist'),
    ('docker', DOCKER, 'stopped', 'exec_target_not_running', 'is not running'),
    ('docker', DOCKER, 'paused', 'exec_target_not_running', 'paused'),
    ('podman', PODMAN, 'missing', 'exec_target_not_found', 'podman container missing does not exist'),
    ('podman', PODMAN, 'stopped', 'exec_target_not_running', 'is not running'),
])
def test_container_errors_are_recognised(world, runtime, binary, container, error, words):
    options = {'runtime': runtime, 'container': container, runtime + '_binary': binary}
    with raises_code(error, match=words):
        ExecTarget(**options).run(['true'])


@pytest.mark.parametrize('pod_name, container, error, words', [
    ('missing', None, 'exec_target_not_found', 'pods "missing" not found'),
    ('done-1', None, 'exec_target_not_running', 'completed \\(phase Succeeded\\)'),
    ('pending-1', None, 'exec_target_not_running', 'Pending'),
    ('web-1', 'nope', 'exec_target_not_found', 'container nope not found in pod web-1'),
    ('crash-1', None, 'exec_target_not_running', 'container not found'),
])
def test_pod_errors_are_recognised(world, pod_name, container, error, words):
    target = ExecTarget(runtime='kubectl', namespace='apps', pod=pod_name, container=container, kubectl_binary=KUBECTL)
    with raises_code(error, match=words):
        target.run(['true'])


def test_a_failing_command_reports_its_stderr_without_secrets(world):
    target = ExecTarget(runtime='docker', container='web', docker_binary=DOCKER)
    script = 'read line; echo "Traceback: bad value $line" >&2; exit 4'
    with pytest.raises(ExecCommandFailed) as info:
        target.run(['sh', '-c', script], stdin=SECRET + '\n', secrets=[SECRET])
    assert info.value.rc == 4
    assert SECRET not in str(info.value) and SECRET not in info.value.stderr
    assert 'Traceback: bad value ' + REDACTED in str(info.value)


def test_a_failing_command_in_a_pod_is_the_commands_failure_not_the_pods(world):
    target = ExecTarget(runtime='kubectl', namespace='apps', pod='web-1', kubectl_binary=KUBECTL)
    # The command itself prints what kubectl would print: it must not be taken for kubectl's own error.
    with pytest.raises(ExecCommandFailed) as info:
        target.run(['sh', '-c', 'echo \'Error from server (NotFound): pods "web-1" not found\' >&2; exit 3'])
    assert info.value.rc == 3


def test_check_false_returns_the_failure(world):
    result = ExecTarget(runtime='docker', container='web', docker_binary=DOCKER).run(['sh', '-c', 'exit 5'], check=False)
    assert result.rc == 5


def test_a_program_missing_in_the_container(world):
    with pytest.raises(ExecCommandFailed, match='not found in the container'):
        ExecTarget(runtime='docker', container='web', docker_binary=DOCKER).run(['no-such-program'])


def test_binary_missing_or_not_executable(world, tmp_path):
    with raises_code('exec_binary_not_found', match='docker_binary /nonexistent/docker does not exist'):
        ExecTarget(runtime='docker', container='web', docker_binary='/nonexistent/docker').run(['true'])
    plain = tmp_path / 'kubectl'
    plain.write_text(u'#!/bin/sh\n')
    with raises_code('exec_binary_not_found', match='not executable'):
        ExecTarget(runtime='kubectl', pod='p', kubectl_binary=str(plain)).run(['true'])
    with raises_code('exec_binary_not_found', match='not found on PATH'):
        ExecTarget(runtime='podman', container='c', podman_binary='opsauth-no-such-cli').run(['true'])
    with raises_code('exec_binary_not_found', match='opsauth-no-such-program'):
        ExecTarget().run(['opsauth-no-such-program'])


def test_timeout_stops_the_command(world):
    started = time.time()
    with raises_code('exec_timeout', match='did not finish within 1 s'):
        ExecTarget(runtime='docker', container='web', docker_binary=DOCKER, exec_timeout=1).run(['sleep', '30'])
    assert time.time() - started < 10


def test_local_run_without_runtime():
    result = ExecTarget().run(['sh', '-c', 'cat; echo " and more"'], stdin=b'bytes in')
    assert result.stdout == 'bytes in and more\n'


# --- error recognition from the real CLIs' words (versions differ) ----------------------------------------------------

@pytest.mark.parametrize('runtime, stderr, error', [
    ('docker', 'Error response from daemon: No such container: jms_core\n', 'exec_target_not_found'),
    ('docker', 'Error: No such container: jms_core\n', 'exec_target_not_found'),
    ('docker', 'Error response from daemon: Container 3f4e5d is not running\n', 'exec_target_not_running'),
    ('docker', 'Error response from daemon: container 3f4e5d is not running\n', 'exec_target_not_running'),
    ('docker', 'Error response from daemon: Container 3f4e is paused, unpause the container before exec\n', 'exec_target_not_running'),
    ('docker', 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n',
     'exec_runtime_unavailable'),
    ('docker', 'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock\n',
     'exec_runtime_unavailable'),
    ('podman', 'Error: no container with name or ID "jms_core" found: no such container\n', 'exec_target_not_found'),
    ('podman', 'Error: can only create exec sessions on running containers: container state improper\n', 'exec_target_not_running'),
    ('kubectl', 'Error from server (NotFound): pods "jms-core-0" not found\n', 'exec_target_not_found'),
    ('kubectl', 'Error from server (NotFound): namespaces "jms" not found\n', 'exec_target_not_found'),
    ('kubectl', 'error: cannot exec into a container in a completed pod; current phase is Failed\n', 'exec_target_not_running'),
    ('kubectl', 'error: container core not found in pod jms-core-0\n', 'exec_target_not_found'),
    ('kubectl', 'error: container core is not valid for pod jms-core-0 out of: web, worker\n', 'exec_target_not_found'),
    ('kubectl', 'error: unable to upgrade connection: container not found ("core")\n', 'exec_target_not_running'),
    ('kubectl', 'Error from server (BadRequest): pod jms-core-0 does not have a host assigned\n', 'exec_target_not_running'),
    ('kubectl', 'The connection to the server localhost:8080 was refused - did you specify the right host or port?\n',
     'exec_runtime_unavailable'),
    ('kubectl', 'error: You must be logged in to the server (Unauthorized)\n', 'exec_runtime_unavailable'),
    ('kubectl', 'Error from server (Forbidden): pods "x" is forbidden: User "u" cannot create resource "pods/exec"\n',
     'exec_runtime_unavailable'),
])
def test_runtime_messages(runtime, stderr, error):
    target = ExecTarget(runtime=runtime, container='jms_core' if runtime != 'kubectl' else None, pod='jms-core-0')
    with raises_code(error):
        target.raise_for_runtime_error(ExecResult(1, '', stderr))


@pytest.mark.parametrize('runtime, stderr', [
    ('docker', 'Traceback (most recent call last):\nValueError: No such container: in my log line\n'),
    ('docker', 'django.db.utils.OperationalError: could not connect\n'),
    ('kubectl', 'Error from server (NotFound): pods "x" not found\ncommand terminated with exit code 1\n'),
])
def test_a_commands_own_stderr_is_not_taken_for_the_runtimes(runtime, stderr):
    target = ExecTarget(runtime=runtime, container='c' if runtime != 'kubectl' else None, pod='p')
    target.raise_for_runtime_error(ExecResult(1, '', stderr))  # no exception


def test_redact_also_replaces_the_json_escaped_form():
    secret = 'pa"ss\\word'
    text = 'raw %s and json %s' % (secret, json.dumps({'p': secret}))
    cleaned = redact(text, [secret, '', None])
    assert secret not in cleaned and json.dumps(secret)[1:-1] not in cleaned
    assert cleaned.count(REDACTED) == 2


# --- pod discovery ----------------------------------------------------------------------------------------------------

def test_find_running_pod_prefers_ready_and_skips_terminating_and_completed(world):
    world.state['kubernetes']['pods'] = [
        pod('a-terminating', labels={'app': 'web'}, terminating=True),
        pod('b-not-ready', labels={'app': 'web'}, ready=False),
        pod('c-done', labels={'app': 'web'}, phase='Succeeded'),
        pod('d-ready', labels={'app': 'web'}),
        pod('e-other', labels={'app': 'db'}),
    ]
    world.save()
    target = ExecTarget(runtime='kubectl', namespace='apps', pod_selector='app=web', kubectl_binary=KUBECTL)
    assert target.resolve_pod() == 'd-ready'
    assert world.calls()[-1]['argv'] == ['kubectl', '-n', 'apps', 'get', 'pods', '-l', 'app=web', '-o', 'json']
    # and run() uses it
    assert target.run(['hostname']).rc == 0
    assert world.calls()[-1]['argv'][:6] == ['kubectl', '-n', 'apps', 'exec', '-i', 'd-ready']


def test_find_running_pod_takes_a_running_pod_that_is_not_ready_when_nothing_else_is(world):
    world.state['kubernetes']['pods'] = [pod('z', ready=False, labels={'app': 'web'}), pod('y', phase='Pending', labels={'app': 'web'})]
    world.save()
    assert ExecTarget(runtime='kubectl', namespace='apps', pod_selector='app=web', kubectl_binary=KUBECTL).resolve_pod() == 'z'


def test_no_running_pod_is_a_clear_error_listing_what_was_found(world):
    world.state['kubernetes']['pods'] = [pod('x-1', phase='Pending', labels={'app': 'front-end'}),
                                         pod('x-2', phase='Failed', labels={'app': 'front-end'})]
    world.save()
    target = ExecTarget(runtime='kubectl', namespace='apps', pod_selector='app=front-end', kubectl_binary=KUBECTL)
    with raises_code('exec_no_running_pod') as info:
        target.run(['true'])
    assert 'no Running pod in namespace apps matches the label selector app=front-end' in str(info.value)
    assert 'x-1 (Pending)' in str(info.value) and 'x-2 (Failed)' in str(info.value)
    with raises_code('exec_no_running_pod', match='no pod in namespace apps matches the label selector app=nothing'):
        ExecTarget(runtime='kubectl', namespace='apps', pod_selector='app=nothing', kubectl_binary=KUBECTL).resolve_pod()


def test_find_running_pod_with_a_container_skips_pods_without_it(world):
    world.state['kubernetes']['pods'] = [pod('a', labels={'app': 'web'}, containers=['other']),
                                         pod('b', labels={'app': 'web'}, containers=['core'])]
    world.save()
    target = ExecTarget(runtime='kubectl', namespace='apps', pod_selector='app=web', container='core', kubectl_binary=KUBECTL)
    assert target.resolve_pod() == 'b'


# --- bounded output (issue 8, defect 5) --------------------------------------------------------------------------------

ENDLESS = 'import sys\nwhile True:\n    sys.%s.write("x" * 65536)\n'


@pytest.mark.parametrize('stream', ['stdout', 'stderr'])
def test_a_command_that_prints_without_end_is_stopped(stream, tmp_path):
    pid_file = tmp_path / 'pid'
    target = ExecTarget(exec_timeout=60)
    target.max_output = 256 * 1024
    script = 'import os\nopen(%r, "w").write(str(os.getpid()))\n' % str(pid_file) + ENDLESS % stream
    with pytest.raises(ExecOutputTooLarge) as info:
        target.run([sys.executable, '-c', script])
    assert 'printed more than 262144 bytes on %s' % stream in str(info.value) and 'it was stopped' in str(info.value)
    with pytest.raises(OSError):  # the process is gone (killed and reaped), not left running
        os.kill(int(pid_file.read_text()), 0)


def test_output_up_to_the_cap_and_a_large_stdin_pass_whole():
    # More stdin than a pipe buffer holds while the command already writes: no deadlock, nothing lost.
    data = ''.join('line %06d\n' % n for n in range(100000))  # 1.2 MB
    target = ExecTarget(exec_timeout=60)
    result = target.run([sys.executable, '-c', 'import sys; sys.stdout.write(sys.stdin.read())'], stdin=data)
    assert result.rc == 0 and result.stdout == data


def test_the_deadline_bounds_a_command_that_prints_slowly():
    # Each read is quick, but the whole exchange has one deadline: exec_timeout.
    target = ExecTarget(exec_timeout=1)
    with raises_code('exec_timeout', match='did not finish within 1 s'):
        target.run([sys.executable, '-c', 'import sys, time\nwhile True:\n    print("x", flush=True)\n    time.sleep(0.05)'])
