#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# make test-matrix: for each ansible-core version given, a "cell": a venv with tests/harness/requirements/ansible-core-<v>.txt
# on the first controller Python of that file's "# controller-python:" line that this machine has, a staged copy of
# the collection, `ansible-test sanity` and `ansible-test units` on that Python; and for the versions in
# MATRIX_INTEGRATION (the oldest and the newest) the integration targets too, whose compat_target_pythons target runs every
# module on each target Python that ansible-core supports (tests/harness/staging/matrix.py says which it skipped).
# A cell whose controller Python is missing is SKIPPED and said so; any failed cell fails the run.
# Usage: matrix.sh VERSION...   (from the repository root; MATRIX_INTEGRATION="2.16 2.21")
set -uo pipefail
root=$(pwd)
host_python=$(command -v python3.11 || command -v python3)
integration_cells=" ${MATRIX_INTEGRATION:-} "
# The target Pythons' venvs are the same for every cell: make them once.
export OPSAUTH_TARGET_VENVS="$root/build/target-venvs"
summary=()
failed=0 passed=0 skipped=0

run_cell() {  # run_cell VERSION CONTROLLER_INTERPRETER
    local core=$1 interpreter=$2 cell="$root/build/matrix/$1" pyver stamp
    local venv="$cell/venv" collection="$cell/ansible_collections/opsauth/tokens"
    pyver=$("$interpreter" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    stamp=$(cat "tests/harness/requirements/ansible-core-$core.txt" tests/harness/requirements/cell-common.txt | sha256sum | cut -c1-16)
    if [ "$(cat "$venv/.opsauth-stamp" 2>/dev/null)" != "$stamp" ]; then
        echo "cell $core: making $venv with $interpreter"
        rm -rf "$venv" && "$interpreter" -m venv "$venv" || return 1
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip==25.2 || return 1
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            -r "tests/harness/requirements/ansible-core-$core.txt" || return 1
        echo "$stamp" > "$venv/.opsauth-stamp"
    fi
    # ansible-test bootstraps pip in its venvs with a script from a host CI cannot reach; each version pins its own pip.
    local pip_version
    pip_version=$("$venv/bin/python" -c 'import sys
from ansible_test._internal.python_requirements import get_venv_packages as g
print(g(type("P", (), {"version": sys.argv[1]})())["pip"])' "$pyver") || return 1
    mkdir -p "$HOME/.ansible/test/cache"
    cp tests/harness/staging/get_pip.py "$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
    rm -rf "$cell/ansible_collections" && mkdir -p "$collection"
    "$host_python" tests/harness/staging/stage_collection.py "$root" "$collection" || return 1
    export ANSIBLE_COLLECTIONS_PATH="$cell"
    # Every step runs even when one before it failed, so that one run shows everything that fails in the cell.
    local status=0
    (cd "$collection" && PATH="$venv/bin:$PATH" ansible-test --version && \
        PATH="$venv/bin:$PATH" ansible-test sanity --venv --python "$pyver" --color no) || status=1
    (cd "$collection" && PATH="$venv/bin:$PATH" ansible-test units --local --python "$pyver" --color no) || status=1
    if [[ "$integration_cells" == *" $core "* ]]; then
        PATH="$venv/bin:$PATH" OPSAUTH_CONTROLLER_PYTHON="$pyver" \
            tests/harness/make/integration.sh "$collection" "$cell/simulators" || status=1
    fi
    return $status
}

for core in "$@"; do
    echo
    echo "================ make test-matrix: ansible-core $core ================"
    started=$SECONDS
    if ! interpreter=$("$host_python" tests/harness/staging/matrix.py controller "tests/harness/requirements/ansible-core-$core.txt"); then
        summary+=("ansible-core $core: SKIPPED (no controller Python it supports on this machine)")
        skipped=$((skipped + 1))
        continue
    fi
    what="sanity, units"
    [[ "$integration_cells" == *" $core "* ]] && what="$what, integration"
    if run_cell "$core" "$interpreter"; then
        summary+=("ansible-core $core on $interpreter: PASSED ($what; $((SECONDS - started)) s)")
        passed=$((passed + 1))
    else
        summary+=("ansible-core $core on $interpreter: FAILED ($what; $((SECONDS - started)) s)")
        failed=$((failed + 1))
    fi
done
echo
echo "================ make test-matrix summary ================"
printf '%s\n' "${summary[@]}"
echo "cells: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
