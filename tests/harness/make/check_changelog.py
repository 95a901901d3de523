# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate CHANGELOG.md with antsibull-changelog from the fragments, in a scratch copy, and check it.

Usage: check_changelog.py REPO OUT_DIR
Copies the collection's files (as make stage does) to OUT_DIR/ansible_collections/opsauth/tokens, runs `antsibull-changelog release`
for galaxy.yml's version there (as a maintainer does on release: changelogs/changelog.yaml gets the release and
CHANGELOG.md is written), and checks that CHANGELOG.md has the release, every entry of every fragment, and the new
modules, lookups, filter and roles. The repository itself keeps its fragments until the release is cut.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'staging'))
import stage_collection  # noqa: E402  pylint: disable=wrong-import-position


def words(text):
    """Text without RST or Markdown/HTML markup and escapes, for comparing a fragment with CHANGELOG.md."""
    return re.sub(r'\s+', ' ', re.sub(r'[`*\\]', '', re.sub(r'<[^>]+>', '', text))).strip()


def main(collection, out):
    with open(os.path.join(collection, 'galaxy.yml'), encoding='utf-8') as handle:
        version = yaml.safe_load(handle)['version']
    copy = os.path.join(os.path.abspath(out), 'ansible_collections', 'opsauth', 'tokens')
    shutil.rmtree(out, ignore_errors=True)
    stage_collection.main(collection, copy)
    fragments = {}
    for path in sorted(glob.glob(os.path.join(copy, 'changelogs', 'fragments', '*.yml'))):
        with open(path, encoding='utf-8') as handle:
            fragments[os.path.basename(path)] = yaml.safe_load(handle) or {}  # the release removes the files
    bindir = os.path.dirname(sys.executable)
    # antsibull-changelog finds new plugins with ansible-doc, from PATH
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(out), PATH=bindir + os.pathsep + os.environ['PATH'])
    result = subprocess.run([os.path.join(bindir, 'antsibull-changelog'), 'release',
                             '--version', version], cwd=copy, capture_output=True, text=True, env=env, check=False)
    if result.returncode:
        sys.exit('antsibull-changelog release failed:\n%s%s' % (result.stdout, result.stderr))
    with open(os.path.join(copy, 'CHANGELOG.md'), encoding='utf-8') as handle:
        changelog = handle.read()
    flat = words(changelog)
    problems = []
    if 'v%s' % version not in flat:
        problems.append('CHANGELOG.md has no v%s section' % version)
    entries = 0
    for fragment, sections in fragments.items():
        for section, items in sections.items():
            if section == 'trivial':
                continue  # not part of the changelog by design (changelogs/config.yaml: trivial_section_name)
            for item in (items if isinstance(items, list) else [items]):
                entries += 1
                # antsibull-changelog turns RST markup into Markdown: compare the first words without markup.
                start = ' '.join(words(str(item)).split(' ')[:4])
                if start not in flat:
                    problems.append('%s (%s): %r is not in CHANGELOG.md' % (fragment, section, start))
    for kind, directory in (('module', 'modules'), ('lookup', 'lookup'), ('filter', 'filter')):
        for plugin in glob.glob(os.path.join(copy, 'plugins', directory, '[a-z]*.py')):
            name = os.path.basename(plugin)[:-3]
            if 'opsauth.tokens.%s' % name not in flat:
                problems.append('CHANGELOG.md does not list the new %s %s' % (kind, name))
    for line in problems:
        print(line)
    print('CHANGELOG.md for v%s from %d fragments (%d entries): %s; %s' % (
        version, len(fragments), entries, 'NOT complete' if problems else 'complete', os.path.join(copy, 'CHANGELOG.md')))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
