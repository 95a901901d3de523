#!/usr/bin/env bash
# Start the simulators on 127.0.0.1, tell the integration targets where they are, run ansible-test integration.
# Usage: integration.sh COLLECTION_DIR STATE_DIR [ansible-test integration arguments...]
set -euo pipefail
collection=$1 state=$2
shift 2
run=("python" "$collection/tests/simulators/run.py")
"${run[@]}" stop --state-dir "$state" >/dev/null 2>&1 || true
"${run[@]}" start --state-dir "$state" >/dev/null
trap '"${run[@]}" stop --state-dir "$state" >/dev/null' EXIT
python "$collection/tests/utils/integration_config.py" "$state" "$collection"
cd "$collection"
# OPSAUTH_CONTROLLER_PYTHON: the controller Python of a make test-matrix cell (make test: 3.11).
ansible-test integration --local --python "${OPSAUTH_CONTROLLER_PYTHON:-3.11}" --color no "$@"
