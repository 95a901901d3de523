# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make ee (part of make test): the execution environment path, as far as it goes without a container engine.

Usage: check_ee.py REPO TARBALL OUT_DIR
1. `ansible-builder introspect` on the installed tarball finds exactly requirements.txt's entries, from this
   collection (meta/execution-environment.yml is read).
2. `ansible-builder create` on docs/execution-environment.yml, the example for users, with the collection taken from
   the tarball (copied into the context), writes a build context.
3. In that context, the steps the image build runs: its requirements.yml installs the collection with ansible-galaxy
   (from the context's directory, as the galaxy stage does in /build), and its own scripts/introspect.py then lists our
   Python requirements, which the builder stage pip-installs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import yaml


def run(argv, collections_path=None, **kwargs):
    # ansible-galaxy skips a collection it finds already installed in ANSIBLE_COLLECTIONS_PATH (make's staged copy):
    # each install here looks only at its own target directory.
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path or '', ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false')
    result = subprocess.run(argv, capture_output=True, text=True, check=False, env=env, **kwargs)
    if result.returncode:
        sys.exit('%s failed:\n%s%s' % (' '.join(argv), result.stdout, result.stderr))
    return result.stdout


def requirement_lines(text):
    return sorted(line.split('#')[0].strip() for line in text.splitlines() if line.split('#')[0].strip())


def check_pip_file(path, wanted, what):
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    found = requirement_lines(text)
    if found != wanted or 'from collection opsauth.tokens' not in text:
        sys.exit('%s: Python requirements %s, expected %s from collection opsauth.tokens' % (what, found, wanted))
    print('%s: %s' % (what, ', '.join(found)))


def main(repo, tarball, out):
    bindir = os.path.dirname(sys.executable)
    with open(os.path.join(repo, 'requirements.txt'), encoding='utf-8') as handle:
        wanted = requirement_lines(handle.read())
    shutil.rmtree(out, ignore_errors=True)
    installed = os.path.join(out, 'installed')
    run([os.path.join(bindir, 'ansible-galaxy'), 'collection', 'install', '--offline', '-p', installed, tarball],
        collections_path=installed)
    run([os.path.join(bindir, 'ansible-builder'), 'introspect', installed, '--write-pip', os.path.join(out, 'pip.txt')])
    check_pip_file(os.path.join(out, 'pip.txt'), wanted, 'ansible-builder introspect')

    with open(os.path.join(repo, 'docs', 'execution-environment.yml'), encoding='utf-8') as handle:
        definition = yaml.safe_load(handle)
    names = [c['name'] for c in definition['dependencies']['galaxy']['collections']]
    if names != ['opsauth.tokens']:
        sys.exit('docs/execution-environment.yml installs %s, not opsauth.tokens' % names)
    local = os.path.join('collections', os.path.basename(tarball))
    definition['dependencies']['galaxy'] = {'collections': [{'name': local, 'type': 'file'}]}
    definition['additional_build_files'] = [{'src': os.path.abspath(tarball), 'dest': 'collections'}]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'execution-environment.yml'), 'w', encoding='utf-8') as handle:
        yaml.safe_dump(definition, handle)
    context = os.path.join(out, 'context')
    run([os.path.join(bindir, 'ansible-builder'), 'create', '-f', os.path.join(out, 'execution-environment.yml'),
         '-c', context])
    build = os.path.join(context, '_build')
    containerfile = [name for name in ('Containerfile', 'Dockerfile') if os.path.exists(os.path.join(context, name))]
    if not containerfile or not os.path.exists(os.path.join(build, local)):
        sys.exit('ansible-builder create wrote no Containerfile, or the tarball is not in the context')
    with open(os.path.join(context, containerfile[0]), encoding='utf-8') as handle:
        steps = handle.read()
    for needle in ('ansible-core==', 'ansible-runner==', 'collection install', 'introspect.py introspect'):
        if needle not in steps:
            sys.exit('%s has no %r step' % (containerfile[0], needle))

    image_collections = os.path.join(out, 'image-collections')
    run([os.path.join(bindir, 'ansible-galaxy'), 'collection', 'install', '--offline', '-r', 'requirements.yml',
         '--collections-path', os.path.abspath(image_collections)], cwd=build,
        collections_path=os.path.abspath(image_collections))
    run([sys.executable, os.path.join(build, 'scripts', 'introspect.py'), 'introspect', image_collections,
         '--write-pip', os.path.join(out, 'image-pip.txt')])
    check_pip_file(os.path.join(out, 'image-pip.txt'), wanted, 'the build context\'s introspect.py')
    print('execution environment build context: %s (%s)' % (context, containerfile[0]))
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:4]))
