#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every example playbook of `make demo` (playbooks/demo.list) at -vvv against the simulators, then prove that no
# password, token, key or session secret used during the run appears in the output: the simulators list every secret
# they handed out (GET /_sim/issued), and the demo's passwords are known.
set -euo pipefail

vars_file="$(cd ../.. && pwd)/integration_config.yml"   # ansible-test copies it there; script targets must read it
config() { python -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$vars_file" "$1"; }
collection=$(config collection_dir) state=$(config sim_state_dir)
work="${OUTPUT_DIR:?run this target with ansible-test}/examples_no_secrets"
rm -rf "$work" && mkdir -m 0700 -p "$work"
demo_dir="$work/demo"
# shellcheck source=/dev/null
source "$collection/tests/utils/demo_env.sh"

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

python - "$JMS_URL" "$DEEPFLOW_URL" "$work/secrets" <<'PY'
import json, sys, urllib.request
*urls, out = sys.argv[1:]
secrets = {'Adm1n-Pass!', 'Df-Admin-Pass-1'}  # the demo's passwords (tests/utils/demo_env.sh)
for url in urls:  # every token, key and session secret the simulators handed out
    with urllib.request.urlopen(url + '/_sim/issued') as resp:
        secrets.update(json.load(resp)['secrets'])
with open(out, 'w') as handle:
    handle.write('\n'.join(sorted(secrets)) + '\n')
print('%d secrets were issued or used during the examples' % len(secrets))
if len(secrets) < 10:
    sys.exit('expected the examples to handle at least 10 secrets (passwords, tokens, keys): the check is void')
PY

status=0
for log in "$work"/*.log; do
    if grep -n -F -f "$work/secrets" "$log"; then
        echo "a secret appears in $log" >&2
        status=1
    fi
done
exit $status
