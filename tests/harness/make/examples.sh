#!/usr/bin/env bash
# make examples: run every example of the collection (tests/harness/make/examples.py: the plugins' EXAMPLES, the yaml blocks
# of README.md, docs/*.md and the roles' READMEs) against the simulators on 127.0.0.1, at -vvv, then scan the output
# for every secret the simulators issued and every known test password (tests/harness/target_helpers/secret_scan.py
# --ansible-output, as make integration does). The examples get only the documented variables (docs/examples.md):
# the simulators' URLs and seeded accounts, a token folder, and the fake docker/kubectl of tests/harness/fakes.
# Usage: examples.sh COLLECTION_DIR STATE_DIR
set -euo pipefail
collection=$1 state=$2
# This script runs inside `run.py exec`, which starts the simulators around it and stops them after it.
[ "${SIM_STATE_DIR:-}" = "$(realpath -m "$state")" ] || exec python "$collection/tests/simulators/run.py" exec --state-dir "$state" -- bash "$0" "$@"
export ANSIBLE_COLLECTIONS_PATH; ANSIBLE_COLLECTIONS_PATH=$(cd "$collection/../../.." && pwd)
work="$state/examples"
rm -rf "$work" && mkdir -m 0700 -p "$work"
mkdir -m 0700 -p "$work/tokens" "$work/home"
endpoint() { python "$collection/tests/simulators/run.py" endpoint --state-dir "$state" "$1"; }
# The fakes of tests/harness/fakes build their default world (tests/harness/fakes/fake_world.py) from the simulators' state.
export OPSAUTH_SIM_STATE="$state" ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
python "$collection/tests/simulators/run.py" reset --state-dir "$state" --state >/dev/null
extra_vars="$work/extra_vars.json"
python - "$extra_vars" "$work/tokens" "$collection/tests/harness/fakes" "$(endpoint jms_url)" "$(endpoint deepflow_url)" \
    "$(endpoint deepflow_fauths_url)" "$(endpoint deepflow_fuser_url)" <<'PY'
import json, os, sys
path, token_dir, fakes, jms_url, deepflow_url, fauths_url, fuser_url = sys.argv[1:]
# The documented variables of docs/examples.md, set to the simulators' seeded accounts (tests/simulators), and the
# lookups' own variables (ansible_jms_*, ansible_deepflow_*) for the examples that configure the lookups that way.
jms = dict(url=jms_url, username='admin', password='Adm1n-Pass!')
deepflow = dict(url=deepflow_url, email='admin@deepflow.local', password='Df-Admin-Pass-1')
variables = dict(('jms_' + k, v) for k, v in jms.items())
variables.update(('deepflow_' + k, v) for k, v in deepflow.items())
variables.update(('ansible_jms_' + k, v) for k, v in jms.items())
variables.update(('ansible_deepflow_' + k, v) for k, v in deepflow.items())
variables.update(
    jms_totp_secret='JBSWY3DPEHPK3PXP',
    jms_private_token='937b38011acf499eb474e2fecb424ab3937b3801',
    jms_access_key_id='8f1a1c2e-0000-4000-8000-000000000001',
    jms_access_key_secret='0b1f9a7e-5c1d-4e0f-9a2b-3c4d5e6f7a8b',
    deepflow_fauths_url=fauths_url, deepflow_fuser_url=fuser_url,
    token_dir=token_dir, docker_binary=fakes + '/docker', kubectl_binary=fakes + '/kubectl',
    jumpserver_private_token_docker_binary=fakes + '/docker', jumpserver_private_token_kubectl_binary=fakes + '/kubectl',
    deepflow_permanent_token_kubectl_binary=fakes + '/kubectl')
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, 'w') as handle:
    json.dump(variables, handle)
PY
status=0
python "$collection/tests/harness/make/examples.py" run "$collection" "$work" "$extra_vars" || status=$?
# Fails closed: no secret issued or an empty log is a failure, not a pass.
python "$collection/tests/harness/target_helpers/secret_scan.py" --ansible-output --state "$state" \
    --extra "$collection/tests/harness/target_helpers/test_secrets.txt" "$work"/*.log || status=$((status ? status : 1))
exit "$status"
