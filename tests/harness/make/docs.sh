#!/usr/bin/env bash
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# make docs: the HTML docs site, the way antsibull-docs sets one up (`antsibull-docs sphinx-init`, then its
# build.sh steps: `antsibull-docs collection` writes a page per module, lookup, filter and role, sphinx-build renders
# them), plus the Markdown guides of docs/ (rendered with MyST) and docs/docsite/index.rst as the front page.
# Sphinx runs with -W: a broken reference or a missing guide link fails the build.
# Usage: docs.sh REPO OUT_DIR   (ANSIBLE_COLLECTIONS_PATH must hold the staged collection)
set -euo pipefail
repo=$(cd "$1" && pwd) out=$2
rm -rf "$out" && mkdir -p "$out"
out=$(cd "$out" && pwd)
antsibull-docs sphinx-init --use-current --dest-dir "$out" --project opsauth.tokens \
    --copyright 'opsauth.tokens contributors' --title 'opsauth.tokens documentation' \
    --index-rst-source "$repo/docs/docsite/index.rst" --fail-on-error opsauth.tokens >/dev/null
cat >> "$out/conf.py" <<'PY'

# opsauth.tokens (tests/harness/make/docs.sh): the Markdown guides of docs/ through MyST; no intersphinx, since CI reaches no
# documentation host. The plugin pages refer to labels of docs.ansible.com (common_return_values, the uri module,
# the configuration settings), which stay plain text without intersphinx instead of failing the build; every other
# unresolved reference still fails it (-W).
extensions = [name for name in extensions if name != 'sphinx.ext.intersphinx'] + ['myst_parser']
intersphinx_mapping = {}
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
myst_heading_anchors = 3
suppress_warnings = ['ref.ref']
# The theme's logo links to "/" by default, which is no page of a site opened from files: link the project's home.
html_theme_options = dict(globals().get('html_theme_options') or {},
                          documentation_home_url='https://github.com/opsauth/tokens/blob/main/README.md')
PY
mkdir -p "$out/rst/guides"
cp "$repo"/docs/*.md "$repo/docs/execution-environment.yml" "$out/rst/guides/"
if [ ! -f "$repo/docs/security.md" ]; then
    # The guides link to docs/security.md (the security issue's guide); until it exists, the site says so.
    printf '# Security\n\nThe security guide (docs/security.md) is not written yet: see the Security notes in the README.\n' \
        > "$out/rst/guides/security.md"
fi
cd "$out"
# build.sh as sphinx-init wrote it: antsibull-docs collection --use-current, then sphinx-build -W --keep-going
./build.sh
echo "docs site: $out/build/html/index.html"
