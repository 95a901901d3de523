#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every example playbook of `make demo` (playbooks/demo.list, which must name every playbook in playbooks/) and
# wrong_input.yml (each module fed wrong input) at -vvv against the simulators, then prove that no password, token, key
# or session secret used during the run appears in the output (tests/target_helpers/secret_scan.py: the simulators list every
# secret they handed out, GET /_sim/issued; the seed passwords and the wrong values of tests/target_helpers/test_secrets.txt are known).
set -euo pipefail

vars_file="$(cd ../.. && pwd)/integration_config.yml"   # ansible-test copies it there; script targets must read it
config() { python -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$vars_file" "$1"; }
collection=$(config collection_dir) state=$(config sim_state_dir)
work="${OUTPUT_DIR:?run this target with ansible-test}/playbooks_no_secrets"
rm -rf "$work" && mkdir -m 0700 -p "$work"
demo_dir="$work/demo"
# shellcheck source=/dev/null
source "$collection/tests/target_helpers/demo_env.sh"

python - "$JMS_URL" "$DEEPFLOW_URL" <<'PY'  # start from the simulators' seed state
import sys, urllib.request
for url in sys.argv[1:]:
    urllib.request.urlopen(urllib.request.Request(url + '/_sim/reset', data=b'{"state": true}', method='POST',
                                                  headers={'Content-Type': 'application/json'})).close()
PY

for playbook in $(cat "$collection/playbooks/demo.list"); do
    echo "== ansible-playbook -vvv playbooks/$playbook"
    if ! ansible-playbook -vvv "$collection/playbooks/$playbook" > "$work/$playbook.log" 2>&1; then
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
if ! ansible-playbook -vvv wrong_input.yml > "$work/wrong_input.log" 2>&1; then
    cat "$work/wrong_input.log"
    exit 1
fi

# Fails closed: no simulator, no secret issued, too few secrets or an empty log is a failure, not a pass.
python "$collection/tests/target_helpers/secret_scan.py" --state "$state" --extra "$collection/tests/target_helpers/test_secrets.txt" "$work"/*.log
