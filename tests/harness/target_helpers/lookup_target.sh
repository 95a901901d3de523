# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# What the runme.sh of the lookup targets (lookup_jms_token, lookup_deepflow_token) share; sourced from the target's
# directory, where ansible-test copies this file at ../../../harness/target_helpers/ because the target's aliases say
# needs/file/tests/harness/target_helpers/lookup_target.sh (and script_target.sh, which it sources). Each target is a script
# target, because one login per run only means something with many hosts and forks: each playbook runs on the 12
# local hosts of inventory.ini with -f 5, and each ansible-playbook run is one "run" of the cache. The checks
# themselves are in the target's playbooks.

# shellcheck source=script_target.sh
source ../../../harness/target_helpers/script_target.sh
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

one_login_run() {  # one_login_run PASSWORD...: one_login.yml at -vvvv; neither a token nor these passwords may show
    run_logged one_login one_login.yml -e "secrets_file=$work/tokens" -vvvv
    not_in_log "$work/one_login.log" "$work/tokens"
    printf '%s\n' "$@" > "$work/passwords"
    not_in_log "$work/one_login.log" "$work/passwords"
    no_run_cache_left
}

wrong_password_runs() {  # wrong_password_runs VARIABLE PASSWORD: wrong_password.yml twice with the password in VARIABLE
    rm -rf "$cache_dir"
    printf '%s\n' "$2" > "$work/wrong"
    local attempt
    for attempt in 1 2; do
        (export "$1=$2" && run_logged "wrong_password_$attempt" wrong_password.yml -vvvv)
        not_in_log "$work/wrong_password_$attempt.log" "$work/wrong"
    done
}

write_ansible_cfg() {  # write_ansible_cfg TEXT: $work/ansible.cfg, the one ansible-test uses followed by TEXT
    {
        [ -n "${ANSIBLE_CONFIG:-}" ] && [ -f "$ANSIBLE_CONFIG" ] && cat "$ANSIBLE_CONFIG"
        printf '%s\n' "$1"
    } > "$work/ansible.cfg"
}
