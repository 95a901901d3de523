# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/harness/make/check_fragments.py on throwaway git repositories: a branch, and a clean clone with only main."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHECK = os.path.join(os.path.dirname(__file__), '..', 'make', 'check_fragments.py')


def git(repo, *argv):
    env = dict(os.environ, GIT_AUTHOR_NAME='t', GIT_AUTHOR_EMAIL='t@example.invalid', GIT_COMMITTER_NAME='t',
               GIT_COMMITTER_EMAIL='t@example.invalid')
    return subprocess.run(['git', '-C', str(repo)] + list(argv), check=True, capture_output=True, text=True, env=env)


def write(repo, name, text):
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git(repo, 'add', name)


def check(repo):
    env = dict(os.environ)
    env.pop('OPSAUTH_CHANGELOG_BASE', None)
    result = subprocess.run([sys.executable, CHECK, str(repo)], capture_output=True, text=True, env=env, check=False)
    return result.returncode, result.stdout


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / 'repo'
    repo.mkdir()
    git(repo, 'init', '-q', '-b', 'main')
    write(repo, 'plugins/modules/a.py', 'A = 1\n')
    write(repo, 'changelogs/fragments/a.yml', 'minor_changes: [a]\n')
    git(repo, 'commit', '-qm', 'first')
    base = git(repo, 'rev-parse', 'HEAD').stdout.strip()
    write(repo, 'changelogs/fragment-base', base + '\n')
    git(repo, 'commit', '-qm', 'record the base')
    return repo


def test_a_branch_changing_a_plugin_without_a_fragment_fails(repo):
    git(repo, 'checkout', '-qb', 'feature')
    write(repo, 'plugins/modules/a.py', 'A = 2\n')
    git(repo, 'commit', '-qm', 'change a')
    code, out = check(repo)
    assert code == 1 and 'the merge base with main' in out and 'plugins/modules/a.py' in out


def test_a_branch_with_a_fragment_passes_and_docs_only_changes_need_none(repo):
    git(repo, 'checkout', '-qb', 'feature')
    write(repo, 'docs/x.md', 'x\n')
    git(repo, 'commit', '-qm', 'docs')
    assert check(repo)[0] == 0
    write(repo, 'roles/r/tasks/main.yml', '---\n')
    git(repo, 'commit', '-qm', 'role')
    assert check(repo)[0] == 1
    write(repo, 'changelogs/fragments/r.yml', 'minor_changes: [r]\n')
    git(repo, 'commit', '-qm', 'fragment')
    assert check(repo)[0] == 0


def test_an_uncommitted_change_counts_too(repo):
    (repo / 'plugins' / 'modules' / 'a.py').write_text('A = 3\n')
    git(repo, 'checkout', '-qb', 'feature')
    write(repo, 'README.md', 'r\n')
    git(repo, 'commit', '-qm', 'readme')
    code, out = check(repo)
    assert code == 1 and 'plugins/modules/a.py' in out


def test_a_clean_clone_of_main_checks_since_the_recorded_base(repo, tmp_path):
    write(repo, 'plugins/modules/a.py', 'A = 4\n')
    git(repo, 'commit', '-qm', 'landed without a fragment')
    clone = tmp_path / 'clone'
    subprocess.run(['git', 'clone', '-q', str(repo), str(clone)], check=True)
    code, out = check(clone)
    assert code == 1 and 'changelogs/fragment-base' in out
    write(repo, 'changelogs/fragments/a4.yml', 'bugfixes: [a4]\n')
    git(repo, 'commit', '-qm', 'fragment')
    subprocess.run(['git', '-C', str(clone), 'pull', '-q'], check=True)
    assert check(clone)[0] == 0


def test_a_shallow_clone_without_the_base_says_what_to_do(repo, tmp_path):
    write(repo, 'docs/y.md', 'y\n')
    git(repo, 'commit', '-qm', 'y')
    clone = tmp_path / 'shallow'
    subprocess.run(['git', 'clone', '-q', '--depth', '1', 'file://%s' % repo, str(clone)], check=True)
    code, out = check(clone)
    assert code == 1 and 'fetch the full history' in out
