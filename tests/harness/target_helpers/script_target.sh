# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# What every script target (runme.sh) shares; sourced from the target's directory, where ansible-test copies this
# file at ../../../harness/target_helpers/ because the target's aliases say needs/file/tests/harness/target_helpers/script_target.sh.
# Sets vars_file, work (a new 0700 directory of the target's own), collection and state (the simulators' state
# directory), config NAME, and the roles path the setup_simulators tasks need.

# ansible-test copies tests/integration/integration_config.yml (the simulators' URLs) to ../../ of the target but
# passes it only to role targets (-e @file); a script target gets nothing, so it passes the file on itself.
vars_file="$(cd ../.. && pwd)/integration_config.yml"
if [ ! -f "$vars_file" ]; then
    echo "missing $vars_file: run this target with tests/harness/make/integration.sh, which starts the simulators" >&2
    exit 1
fi
config() {  # config NAME: a value of integration_config.yml, such as jms_url
    python -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$vars_file" "$1"
}
collection=$(config collection_dir) state=$(config sim_state_dir)
work="${OUTPUT_DIR:?run this target with ansible-test}/$(basename "$PWD")"
rm -rf "$work" && mkdir -m 0700 -p "$work"
# The playbooks drive the simulators through the setup_simulators target's tasks (include_role): ansible-test gives a
# role target the targets directory as its roles path, a script target sets it itself.
export ANSIBLE_ROLES_PATH; ANSIBLE_ROLES_PATH=$(cd .. && pwd)
