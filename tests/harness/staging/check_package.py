# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the tarball `ansible-galaxy collection build` made from the repository.

Usage: check_package.py TARBALL REPO
The tarball holds exactly the repository's files (git-tracked and untracked-not-ignored) minus galaxy.yml's
build_ignore, plus MANIFEST.json and FILES.json: every module, lookup, filter, role and playbook is in, and nothing
of .venv, build/, tests/output, caches or compiled files is, although the repository has them when make test runs.
"""
from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import tarfile

import yaml

NEVER = ('.venv/', 'build/', 'tests/output/', '.git/', '.pytest_cache/', '.ci/')
NEVER_PARTS = ('__pycache__',)
MUST = ('MANIFEST.json', 'FILES.json', 'meta/runtime.yml', 'meta/execution-environment.yml', 'requirements.txt',
        'plugins/modules/jms_token.py', 'plugins/lookup/jms_token.py', 'plugins/filter/deepflow_page_url.py',
        'roles/jumpserver_private_token/tasks/main.yml', 'playbooks/jumpserver_token.yml', 'README.md')


def ignored(name, patterns):
    return any(fnmatch.fnmatch(name, pattern) or name.startswith(pattern.rstrip('/') + '/')
               or fnmatch.fnmatch(os.path.basename(name), pattern) for pattern in patterns)


def main(tarball, repo):
    with open(os.path.join(repo, 'galaxy.yml'), encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    patterns = galaxy.get('build_ignore', [])
    listed = subprocess.run(['git', '-C', repo, 'ls-files', '-co', '--exclude-standard', '-z'], check=True,
                            capture_output=True, text=True).stdout.split('\0')
    expected = {name for name in listed if name and os.path.isfile(os.path.join(repo, name))
                and not ignored(name, patterns) and name not in ('galaxy.yml',)}
    expected |= {'MANIFEST.json', 'FILES.json'}
    with tarfile.open(tarball) as archive:
        members = {m.name for m in archive.getmembers() if m.isfile()}
        manifest = json.load(archive.extractfile('MANIFEST.json'))
    problems = []
    for name in sorted(members):
        if name.startswith(NEVER) or any(part in NEVER_PARTS for part in name.split('/')) or name.endswith('.pyc'):
            problems.append('in the tarball but must not be: %s' % name)
    problems += ['missing from the tarball: %s' % name for name in sorted(expected - members)]
    problems += ['in the tarball but not a repository file: %s' % name for name in sorted(members - expected)]
    problems += ['missing from the tarball: %s' % name for name in MUST if name not in members]
    info = manifest['collection_info']
    if (info['namespace'], info['name'], info['version']) != (galaxy['namespace'], galaxy['name'], galaxy['version']):
        problems.append('MANIFEST.json says %s.%s %s' % (info['namespace'], info['name'], info['version']))
    junk = [name for name in ('.venv', 'build') if os.path.isdir(os.path.join(repo, name))]
    for line in problems:
        print(line)
    print('%s: %d files, %s; the repository had %s to leave out' % (
        os.path.basename(tarball), len(members), 'NOT as expected' if problems else 'exactly as expected',
        ', '.join(junk) or 'nothing'))
    return 1 if problems or len(junk) < 2 else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
