#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every example playbook of `make demo` (playbooks/demo.list, which must name every playbook in playbooks/) and
# wrong_input.yml (each module fed wrong input) at -vvv against the simulators, then prove that no password, token, key
# or session secret used during the run appears in the output (tests/harness/target_helpers/secret_scan.py: the simulators list every
# secret they handed out, GET /_sim/issued; the seed passwords and the wrong values of tests/harness/target_helpers/test_secrets.txt are known).
set -euo pipefail

# shellcheck source=../../../harness/target_helpers/script_target.sh
source ../../../harness/target_helpers/script_target.sh
demo_dir="$work/demo"
# shellcheck source=/dev/null
source "$collection/tests/harness/target_helpers/demo_env.sh"

# Start from the simulators' seed state.
python "$collection/tests/simulators/run.py" reset --state-dir "$state" --sim jms --sim deepflow --state >/dev/null

for playbook in $(cat "$collection/playbooks/demo.list"); do
    echo "== ansible-playbook -vvv playbooks/$playbook"
    if ! ansible-playbook -vvv -e "@$demo_vars" "$collection/playbooks/$playbook" > "$work/$playbook.log" 2>&1; then
        cat "$work/$playbook.log"
        exit 1
    fi
done
# Every playbook in playbooks/ is one of the examples: a new one must be added to demo.list (and so to this scan).
# The one exception, awx_credential_types.yml, talks to a live AWX with the awx.awx collection (neither is here).
for playbook in "$collection"/playbooks/*.yml; do
    [ "$(basename "$playbook")" = awx_credential_types.yml ] && continue
    grep -qx "$(basename "$playbook")" "$collection/playbooks/demo.list" || { echo "$playbook is not in demo.list" >&2; exit 1; }
done

echo "== ansible-playbook -vvv wrong_input.yml (each module fed wrong input)"
if ! ansible-playbook -vvv -e "@$demo_vars" wrong_input.yml > "$work/wrong_input.log" 2>&1; then
    cat "$work/wrong_input.log"
    exit 1
fi

# Fails closed: no simulator, no secret issued, too few secrets or an empty log is a failure, not a pass.
python "$collection/tests/harness/target_helpers/secret_scan.py" --state "$state" --extra "$collection/tests/harness/target_helpers/test_secrets.txt" "$work"/*.log
