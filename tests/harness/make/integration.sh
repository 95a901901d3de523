#!/usr/bin/env bash
# Start the simulators on 127.0.0.1, tell the integration targets where they are, run ansible-test integration at
# -vvv into STATE_DIR/integration.log, then scan that log for every secret the simulators issued and every known test
# password (tests/harness/target_helpers/secret_scan.py --ansible-output, which leaves out only what the test harness shows on purpose;
# it fails closed). The log is kept; its summary and, on failure, its tail are
# printed.
# Usage: integration.sh COLLECTION_DIR STATE_DIR [ansible-test integration arguments...]
# With target arguments (a partial run, for development) the scan is skipped, and says so, unless
# OPSAUTH_SECRET_SCAN=always (then the targets run must have used both simulators, or the scan fails closed).
set -euo pipefail
collection=$1 state=$2
# This script runs inside `run.py exec`, which starts the simulators around it and stops them after it.
[ "${SIM_STATE_DIR:-}" = "$(realpath -m "$state")" ] || exec python "$collection/tests/simulators/run.py" exec --state-dir "$state" -- bash "$0" "$@"
shift 2
python "$collection/tests/harness/staging/integration_config.py" "$state" "$collection"
log="$state/integration.log"
status=0
# OPSAUTH_CONTROLLER_PYTHON: the controller Python of a make test-matrix cell (make test: 3.11).
(cd "$collection" && ansible-test integration --local --python "${OPSAUTH_CONTROLLER_PYTHON:-3.11}" --color no -vvv "$@") 2>&1 \
    | python "$collection/tests/harness/make/target_times.py" "$log" "$state/target-times.txt" || status=$?
grep -E '^(ERROR|FATAL)' "$log" || true
cat "$state/target-times.txt"  # each target's seconds
if [ "$status" -ne 0 ]; then
    tail -n 400 "$log"
    echo "ansible-test integration failed (exit $status); the whole -vvv output: $log" >&2
fi
if [ "$#" -eq 0 ] || [ "${OPSAUTH_SECRET_SCAN:-}" = always ]; then
    python "$collection/tests/harness/target_helpers/secret_scan.py" --ansible-output --state "$state" --extra "$collection/tests/harness/target_helpers/test_secrets.txt" "$log" \
        || status=$((status ? status : 1))
else
    echo "secret scan skipped: a partial run ($*); make integration scans the whole run"
fi
exit "$status"
