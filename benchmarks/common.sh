# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# What the benchmark scripts (benchmarks/*/run.sh) share; sourced with $collection (the staged collection, absolute)
# and $state (the simulators' state directory) set.
# shellcheck disable=SC2034  # rc and seconds are read by the scripts that source this file
export ANSIBLE_COLLECTIONS_PATH  # the directory that holds ansible_collections/opsauth/tokens
ANSIBLE_COLLECTIONS_PATH=$(cd "$collection/../../.." && pwd)
export ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1

sims() {  # sims ACTION [ARGS...]: tests/simulators/run.py ACTION on this state directory (reset, fault, requests...)
    python "$collection/tests/simulators/run.py" "$1" --state-dir "$state" "${@:2}"
}

timed() {  # timed LOG COMMAND...: run COMMAND with its output in LOG; sets rc (its status) and seconds (wall time)
    local log=$1 started ended
    shift
    rc=0
    started=$(date +%s.%N)
    "$@" >"$log" 2>&1 || rc=$?
    ended=$(date +%s.%N)
    seconds=$(python -c 'import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))' "$started" "$ended")
}
