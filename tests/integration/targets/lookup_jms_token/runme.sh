#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The jms_token lookup's cache, proved by the JumpServer simulator's request log (tests/harness/target_helpers/lookup_target.sh says
# why this is a script target and holds what it shares with lookup_deepflow_token).
set -euo pipefail
# shellcheck source=../../../harness/target_helpers/lookup_target.sh
source ../../../harness/target_helpers/lookup_target.sh

echo "== one login per identity for 12 hosts x 5 forks (at -vvvv: no token may show)"
one_login_run 'Adm1n-Pass!' 'Alice-Pass-1' 'Mfa-Pass-1' 'JBSWY3DPEHPK3PXP'

echo "== a cached token near its expiry is replaced by one login"
playbook expired.yml "$@"
no_run_cache_left

echo "== cache_dir: kept across runs, checked once per run, a 401 costs exactly one login"
for phase in fill reuse rejected; do
    playbook cache_dir.yml -e "phase=$phase" "$@"
done

echo "== recheck_interval: a token the server dropped mid-run is found by one check and replaced by one login"
playbook recheck.yml "$@"
no_run_cache_left

echo "== a wrong password: one request per run, never remembered in cache_dir (at -vvvv: the password may not show)"
wrong_password_runs JMS_PASSWORD 'Wr0ng-Passw0rd-For-Alice'

echo "== options from ansible.cfg, the environment and variables; cache=false"
jms_url=$(config jms_url)
write_ansible_cfg "
[opsauth_tokens_jumpserver]
url = $jms_url

[opsauth_tokens]
cache = false"
ANSIBLE_CONFIG="$work/ansible.cfg" JMS_USERNAME=alice playbook sources.yml "$@"
no_run_cache_left
