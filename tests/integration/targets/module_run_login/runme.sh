#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The modules share the run's login (plugins/plugin_utils/_run_login_action.py): login counts of multi-host plays, proved by
# the simulators' request logs (tests/harness/target_helpers/lookup_target.sh says why this is a script target).
set -euo pipefail
# shellcheck source=../../../harness/target_helpers/lookup_target.sh
source ../../../harness/target_helpers/lookup_target.sh

issued_secrets() {  # every secret both simulators handed out, one a line, into $1; fails closed on an empty list
    local sim
    for sim in jms deepflow; do
        python "$collection/tests/simulators/run.py" issued --state-dir "$state" --sim "$sim"
    done > "$1"
    if [ ! -s "$1" ]; then
        echo "the simulators issued no secret: nothing to look for, which proves nothing" >&2
        return 1
    fi
}

echo "== one login per service for 10 hosts x 5 forks, module_defaults of the action groups (at -vvv: no secret shows)"
run_logged shared_login shared_login.yml -vvv
issued_secrets "$work/issued"
not_in_log "$work/shared_login.log" "$work/issued"
printf '%s\n' 'Adm1n-Pass!' 'Ops-Pass-1' > "$work/passwords"
not_in_log "$work/shared_login.log" "$work/passwords"
no_run_cache_left

echo "== credentials only in the environment (as AWX injects them): one login per service (-v: no secret shows)"
(
    export JMS_URL DEEPFLOW_URL JMS_USERNAME=admin JMS_PASSWORD='Adm1n-Pass!' \
        DEEPFLOW_EMAIL=ops@example.com DEEPFLOW_PASSWORD=Ops-Pass-1
    JMS_URL=$(config jms_url) DEEPFLOW_URL=$(config deepflow_url)
    run_logged env_only env_only.yml -v
)
issued_secrets "$work/issued"
not_in_log "$work/env_only.log" "$work/issued"
not_in_log "$work/env_only.log" "$work/passwords"

echo "== the environment's endpoint, TLS settings and MFA seed beside the task's credentials"
(
    export DEEPFLOW_FAUTHS_URL JMS_CA_PATH JMS_VALIDATE_CERTS=true JMS_MFA_TOTP_SECRET=JBSWY3DPEHPK3PXP
    DEEPFLOW_FAUTHS_URL="$(config jms_url)/api/fauths" JMS_CA_PATH=$(config jms_ca_path)
    playbook endpoints.yml "$@"
)

echo "== a misspelt option: refused before any login"
playbook misspelt.yml "$@"

echo "== check mode: no login"
playbook check_mode.yml "$@"

echo "== a wrong password: one login per service for the run, never retried"
playbook refused.yml "$@"

echo "== the server drops every token mid-run: one new login for the play"
playbook rejected.yml "$@"

echo "== deepflow_login with dest: one login for ten empty dests, none when they hold live tokens"
mkdir -m 0700 -p "$work/dest"
for phase in first second; do
    playbook dest.yml -e "phase=$phase" -e "dest_dir=$work/dest" "$@"
done

echo "== the cache off, or unusable: each module logs in itself"
OPSAUTH_TOKENS_CACHE=false playbook fallback.yml -e expected_logins=10 "$@"
mkdir -m 0755 -p "$work/shared_dir"
run_logged unusable fallback.yml -e expected_logins=10 -e "opsauth_tokens_cache_dir=$work/shared_dir"
grep -q "cannot be used" "$work/unusable.log"
