#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# make package (part of make test): `ansible-galaxy collection build` from the repository (with its .venv, build/ and
# caches around), check the tarball's file list (check_package.py), install it into a clean path, and run the demo
# playbooks from the installed copy, the only copy Ansible can find then.
# Usage: package.sh REPO OUT_DIR
set -euo pipefail
repo=$(cd "$1" && pwd) out=$2
rm -rf "$out" && mkdir -p "$out/dist"
ansible-galaxy collection build --output-path "$out/dist" "$repo"
tarball=$(ls "$out"/dist/opsauth-tokens-*.tar.gz)
python "$repo/tests/harness/staging/check_package.py" "$tarball" "$repo"
out=$(cd "$out" && pwd)
installed="$out/installed/ansible_collections/opsauth/tokens"
# From here on the installed copy is the only one Ansible looks at (not make's staged copy in build/).
export ANSIBLE_COLLECTIONS_PATH="$out/installed" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
ansible-galaxy collection install --offline -p "$out/installed" "$tarball"
ansible-doc --json opsauth.tokens.jms_token | python -c '
import json, sys
where = json.load(sys.stdin)["opsauth.tokens.jms_token"]["doc"]["filename"]
if not where.startswith(sys.argv[1]):
    sys.exit("opsauth.tokens.jms_token comes from %s, not the installed copy" % where)
print("ansible finds opsauth.tokens in the installed copy: %s" % where)' "$installed/"
if ! bash "$installed/tests/harness/make/demo.sh" "$installed" "$out/simulators" > "$out/demo.log" 2>&1; then
    cat "$out/demo.log"
    echo "the demo playbooks failed when run from the installed collection" >&2
    exit 1
fi
# One login per account for the whole lookups playbook (10 hosts): what the demo promises.
if ! grep -q 'the simulators answered 1 JumpServer login(s) and 1 DeepFlow login(s)' "$out/demo.log"; then
    cat "$out/demo.log"
    echo "the lookups playbook did not log in exactly once per account" >&2
    exit 1
fi
echo "demo playbooks from the installed copy: $(grep -c '^PLAY RECAP' "$out/demo.log") playbooks ran," \
    "$(grep -Ec 'failed=[1-9]' "$out/demo.log" || true) host(s) failed; log: $out/demo.log"
