# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Copy the collection's files (git-tracked and untracked-but-not-ignored) to where ansible-test wants them."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys


def collection_files(source):
    try:
        out = subprocess.run(['git', '-C', source, 'ls-files', '-co', '--exclude-standard', '-z'],
                             check=True, capture_output=True).stdout.decode()
        return [name for name in out.split('\0') if name and os.path.lexists(os.path.join(source, name))]
    except (OSError, subprocess.CalledProcessError):
        skip = {'.git', '.venv', 'build', 'output', '__pycache__'}
        names = []
        for root, dirs, files in os.walk(source):
            dirs[:] = [d for d in dirs if d not in skip]
            names.extend(os.path.relpath(os.path.join(root, f), source) for f in files)
        return names


def main(source, dest):
    for name in collection_files(source):
        target = os.path.join(dest, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(source, name), target, follow_symlinks=False)
    # ansible-test lists a collection's files with git when it sits in a work tree. The copy under build/ sits in
    # ours, where .gitignore hides build/ and so every file: a repository of its own makes git see the copy.
    subprocess.run(['git', 'init', '-q', dest], check=True)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
