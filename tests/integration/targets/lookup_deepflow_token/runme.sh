#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The deepflow_token lookup's cache, proved by the DeepFlow simulator's request log (tests/harness/target_helpers/lookup_target.sh says
# why this is a script target and holds what it shares with lookup_jms_token).
set -euo pipefail
# shellcheck source=../../../harness/target_helpers/lookup_target.sh
source ../../../harness/target_helpers/lookup_target.sh

echo "== one login per identity for 12 hosts x 5 forks (at -vvvv: no token may show)"
one_login_run 'Ops-Pass-1' 'dev-pwd'

echo "== a cached token near its expiry is refreshed once; with the refresh token dropped too, one login"
playbook expired.yml "$@"
no_run_cache_left

echo "== cache_dir: kept across runs, refreshed once per run, a rejected refresh costs exactly one login"
for phase in fill reuse rejected; do
    playbook cache_dir.yml -e "phase=$phase" "$@"
done

echo "== a wrong password: one request per run, never remembered in cache_dir (at -vvvv: the password may not show)"
wrong_password_runs DEEPFLOW_PASSWORD 'Wr0ng-Passw0rd-For-Dev'

echo "== options from ansible.cfg, the environment and variables; cache=false from the environment"
deepflow_url=$(config deepflow_url)
write_ansible_cfg "
[opsauth_tokens_deepflow]
url = $deepflow_url"
ANSIBLE_CONFIG="$work/ansible.cfg" DEEPFLOW_EMAIL=ops@example.com OPSAUTH_TOKENS_CACHE=false playbook sources.yml "$@"
no_run_cache_left
