# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fail when plugins/ or roles/ changed since the base and no changelog fragment was added or changed with it.

Usage: check_fragments.py REPO
The base, first that applies:
  1. $OPSAUTH_CHANGELOG_BASE (a CI that knows the target branch sets it);
  2. on a branch whose commits are not all in `main`: the merge base with main (what `make test` in a worktree checks
     before landing, so the change being landed is what is checked);
  3. otherwise (a clean clone where only main exists, as in CI): the commit named in changelogs/fragment-base, the
     last commit that was checked, which `make release-changelog` moves forward on every release. That covers every
     change landed since then: a clean clone has the whole history, no other branch needed.
A shallow clone that lacks the base fails with a message saying to fetch the history.
"""
from __future__ import annotations

import os
import subprocess
import sys

WATCHED = ('plugins/', 'roles/')
FRAGMENTS = 'changelogs/fragments/'


def git(repo, *argv, check=True):
    result = subprocess.run(['git', '-C', repo] + list(argv), capture_output=True, text=True, check=False)
    if check and result.returncode:
        raise RuntimeError('git %s: %s' % (' '.join(argv), result.stderr.strip()))
    return result


def resolve_base(repo):
    if os.environ.get('OPSAUTH_CHANGELOG_BASE'):
        return os.environ['OPSAUTH_CHANGELOG_BASE'], '$OPSAUTH_CHANGELOG_BASE'
    if git(repo, 'rev-parse', '--verify', '--quiet', 'refs/heads/main', check=False).returncode == 0:
        ahead = git(repo, 'rev-list', '--count', 'main..HEAD').stdout.strip()
        if ahead != '0':
            return git(repo, 'merge-base', 'HEAD', 'main').stdout.strip(), 'the merge base with main'
    with open(os.path.join(repo, 'changelogs', 'fragment-base'), encoding='utf-8') as handle:
        lines = [line.strip() for line in handle if line.strip() and not line.startswith('#')]
    return lines[0], 'changelogs/fragment-base'


def changed_files(repo, base):
    """Files changed between base and the working tree (committed or not), and untracked files."""
    committed = git(repo, 'diff', '--name-only', base).stdout.split('\n')
    untracked = git(repo, 'ls-files', '--others', '--exclude-standard').stdout.split('\n')
    return sorted(set(name for name in committed + untracked if name))


def main(repo):
    base, why = resolve_base(repo)
    if git(repo, 'cat-file', '-e', base + '^{commit}', check=False).returncode:
        print('changelog fragment check: base %s (%s) is not in this clone: fetch the full history '
              '(git fetch --unshallow)' % (base, why))
        return 1
    files = changed_files(repo, base)
    code = [name for name in files if name.startswith(WATCHED)]
    fragments = [name for name in files if name.startswith(FRAGMENTS) and name.endswith(('.yml', '.yaml'))
                 and os.path.exists(os.path.join(repo, name))]
    if code and not fragments:
        print('changelog fragment check: plugins/ or roles/ changed since %s (%s) but no changelog fragment was added '
              'or changed: add changelogs/fragments/<unique-name>.yml (see CONTRIBUTING.md). Changed: %s'
              % (base[:12], why, ', '.join(code[:10]) + (' ...' if len(code) > 10 else '')))
        return 1
    print('changelog fragment check: %d plugin/role file(s) and %d fragment(s) changed since %s (%s): ok'
          % (len(code), len(fragments), base[:12], why))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else '.'))
