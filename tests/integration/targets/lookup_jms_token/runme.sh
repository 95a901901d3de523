#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The jms_token lookup's cache, proved by the JumpServer simulator's request log. A script target, because one
# login per run only means something with many hosts and forks: each playbook runs on the 12 local hosts of
# inventory.ini with -f 5, and each ansible-playbook run is one "run" of the cache.
set -euo pipefail

# ansible-test copies tests/integration/integration_config.yml (the simulators' URLs) to ../../ of this directory but
# passes it only to role targets (-e @file); a script target gets nothing, so it passes the file on itself.
vars_file="$(cd ../.. && pwd)/integration_config.yml"
if [ ! -f "$vars_file" ]; then
    echo "missing $vars_file: run this target with tests/utils/integration.sh, which starts the simulators" >&2
    exit 1
fi
work="${OUTPUT_DIR:?run this target with ansible-test}/lookup_jms_token"
rm -rf "$work" && mkdir -m 0700 -p "$work"
# Ansible's per-run local_tmp holds the run's cache; pointing it here lets the playbooks find and check it.
export ANSIBLE_LOCAL_TEMP="$work/local_tmp"
cache_dir="$work/cache"

playbook() {
    ansible-playbook -i inventory.ini -f 5 -e "@$vars_file" -e "local_tmp_root=$ANSIBLE_LOCAL_TEMP" \
        -e "cache_dir=$cache_dir" "$@"
}

run_logged() {  # run_logged NAME ARGS...: keep the output, show it only when the run fails
    local log="$work/$1.log"
    shift
    if ! playbook "$@" >"$log" 2>&1; then
        cat "$log"
        return 1
    fi
}

no_run_cache_left() {  # ansible-playbook removes its local_tmp, and the cache in it, when it exits
    if [ -n "$(find "$ANSIBLE_LOCAL_TEMP" -name opsauth_tokens_cache 2>/dev/null)" ]; then
        echo "a run's cache directory outlived the run" >&2
        return 1
    fi
}

not_in_log() {  # not_in_log LOG FILE-OF-SECRETS
    if grep -n -F -f "$2" "$1"; then
        echo "a secret appears in $1" >&2
        return 1
    fi
}

echo "== one login per identity for 12 hosts x 5 forks (at -vvvv: no token may show)"
run_logged one_login one_login.yml -e "secrets_file=$work/tokens" -vvvv
not_in_log "$work/one_login.log" "$work/tokens"
printf '%s\n' 'Adm1n-Pass!' 'Alice-Pass-1' 'Mfa-Pass-1' 'JBSWY3DPEHPK3PXP' > "$work/passwords"
not_in_log "$work/one_login.log" "$work/passwords"
no_run_cache_left

echo "== a cached token near its expiry is replaced by one login"
playbook expired.yml "$@"
no_run_cache_left

echo "== cache_dir: kept across runs, checked once per run, a 401 costs exactly one login"
for phase in fill reuse rejected; do
    playbook cache_dir.yml -e "phase=$phase" "$@"
done

echo "== a wrong password: one request per run, never remembered in cache_dir (at -vvvv: the password may not show)"
rm -rf "$cache_dir"
printf '%s\n' 'Wr0ng-Passw0rd-For-Alice' > "$work/wrong"
for attempt in 1 2; do
    JMS_PASSWORD='Wr0ng-Passw0rd-For-Alice' run_logged "wrong_password_$attempt" wrong_password.yml -vvvv
    not_in_log "$work/wrong_password_$attempt.log" "$work/wrong"
done

echo "== options from ansible.cfg, the environment and variables; cache=false"
jms_url="$(python -c 'import json, sys; print(json.load(open(sys.argv[1]))["jms_url"])' "$vars_file")"
{
    [ -n "${ANSIBLE_CONFIG:-}" ] && [ -f "$ANSIBLE_CONFIG" ] && cat "$ANSIBLE_CONFIG"
    printf '\n[opsauth_tokens_jumpserver]\nurl = %s\n\n[opsauth_tokens]\ncache = false\n' "$jms_url"
} > "$work/ansible.cfg"
ANSIBLE_CONFIG="$work/ansible.cfg" JMS_USERNAME=alice playbook sources.yml "$@"
no_run_cache_left
