# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fail when any secret the simulators issued, or any known test password, appears in the given logs.

  python tests/harness/target_helpers/secret_scan.py --state SIM_STATE_DIR [--extra FILE] [--min N] LOG [LOG...]

The secrets: every token, key and session secret the running simulators handed out (GET /_sim/issued on each of
them, from SIM_STATE_DIR/endpoints.json), the passwords and TOTP secrets of their seed users (read from the
simulators' own code), and the lines of each --extra file (the wrong passwords a test used, say). Each is looked
for as written and in its JSON-escaped, repr-escaped and URL-encoded forms (grep -F: fast on large logs).

With --ansible-output (the whole integration run at -vvv), what the test harness prints on purpose is left out,
and only that: the fields through which a module returns a credential by design (``token``, ``access_token``,
``refresh_token``, ``access_key``, ``headers``, ``pages``: the modules say so in ``notes:``, and a test registers them
to check them), the simulators' own request records that a test reads back (``/_sim/requests``: they hold what
was sent, passwords included), the answer of every call to the simulators' control API (a result whose ``url``
holds ``/_sim/``: the setup_simulators target's ``sim_http`` action, which reads issued tokens to set up a case), the
``EXEC`` lines where Ansible shows a task's ``environment:`` (tests pass
credentials that way to test the environment fallbacks), the ``TASK [...]`` headers and the numbered source lines
Ansible quotes around a failed task (text written by the tests), and the results of modules of other collections
(``ansible.builtin.uri`` calls a test makes to the simulators' API to set up a case: Ansible names the module file
before the result). A lookup or filter of this collection that fails inside such a task fails it before the module
runs, so its message is scanned.
Everything else of every task result (``msg``, warnings, exceptions, stderr, any other field) and every other line
is scanned.

It fails closed (exit 2): no endpoints.json, a simulator that does not answer, a simulator that issued nothing, fewer
than --min secrets in all, or a log that is missing or empty mean the scan would prove nothing. Exit 1 on a leak,
naming the log and the line, never the secret (only its first characters).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
SIMULATORS = os.path.join(HERE, '..', '..', 'simulators')
# Shorter values would match by chance (and no secret of the simulators is this short).
MIN_LENGTH = 6


class ScanVoid(Exception):
    """The scan cannot prove anything: fail closed."""


def seed_secrets():
    """The seed users' passwords and TOTP secrets, and the seeded private token and access key secret."""
    sys.path.insert(0, SIMULATORS)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # httpsig's import of pkg_resources warns: noise, nothing to act on
        import deepflow  # pylint: disable=import-error,import-outside-toplevel
        import jumpserver  # pylint: disable=import-error,import-outside-toplevel
    found = {jumpserver.SEED_PRIVATE_TOKEN, jumpserver.SEED_KEY_SECRET, 'User-Pass-1'}
    for user in jumpserver.DEFAULT_USERS + deepflow.DEFAULT_USERS:
        found.update(value for value in (user.get('password'), user.get('totp_secret')) if value)
    return found


def issued_secrets(state_dir):
    """{simulator URL: [secrets]} from each running simulator; ScanVoid when one cannot say."""
    path = os.path.join(state_dir, 'endpoints.json')
    try:
        with open(path, encoding='utf-8') as handle:
            endpoints = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ScanVoid('cannot read %s (%s): are the simulators running?' % (path, exc))
    context = ssl.create_default_context(cafile=endpoints.get('jms_ca_path')) if endpoints.get('jms_ca_path') else None
    found = {}
    # deepflow_fauths_url is the same listener as deepflow_url, and fuser shares its state: one ask per process.
    for key in ('jms_url', 'jms_tls_url', 'jms_v3_url', 'deepflow_url'):
        url = endpoints.get(key)
        if not url and key == 'jms_v3_url':
            continue  # a state directory from before the v3.10 simulator (run.py writes it since)
        if not url:
            raise ScanVoid('%s has no %s' % (path, key))
        try:
            with urllib.request.urlopen(url + '/_sim/issued', timeout=10,
                                        context=context if url.startswith('https') else None) as answer:
                found[url] = json.load(answer)['secrets']
        except (OSError, ValueError, KeyError) as exc:
            raise ScanVoid('the simulator at %s did not list its secrets (%s)' % (url, exc))
    return found


def variants(secret):
    forms = {secret, json.dumps(secret)[1:-1], repr(secret)[1:-1], urllib.parse.quote(secret, safe=''),
             secret.strip()}
    return sorted(form for form in forms if len(form) >= MIN_LENGTH and '\n' not in form)


# Result fields through which a module returns a credential on purpose (see --ansible-output).
CREDENTIAL_FIELDS = frozenset(['token', 'access_token', 'refresh_token', 'access_key', 'headers', 'pages'])
SIM_RECORD_FIELDS = frozenset(['seq', 'client', 'method', 'path', 'headers'])
# Where Ansible quotes a playbook's source (the lines around a task that failed): the tests' own text.
SOURCE_LINE = re.compile(r'^\d{1,6} +\S')
RESULT_START = re.compile(r'^(ok|changed|fatal|failed|skipping|ignoring)\b.*=> \{$')


def _harness_free(value):
    """A task result without what the test harness shows on purpose (see the module docstring)."""
    if isinstance(value, dict):
        if SIM_RECORD_FIELDS <= set(value):
            return '<a simulator request record>'
        sim_read = '/_sim/' in str(value.get('url') or '')
        return dict((key, _harness_free(item)) for key, item in value.items()
                    if key not in CREDENTIAL_FIELDS and not (sim_read and key in ('content', 'json')))
    if isinstance(value, list):
        return [_harness_free(item) for item in value]
    return value


def ansible_output(path, out):
    """Write to ``out`` the lines of ``path`` with the harness's deliberate output blanked; same line numbers."""
    with open(path, encoding='utf-8', errors='replace') as handle:
        lines = handle.read().split('\n')
    index = 0
    foreign = False  # the current task runs a module that is not this collection's
    while index < len(lines):
        line = lines[index]
        if line.startswith('TASK ['):
            foreign = False
        elif line.startswith('Using module file '):
            foreign = '/ansible_collections/opsauth/tokens/' not in line
        if line.startswith('TASK [') or (line.startswith('<') and '> EXEC ' in line) or SOURCE_LINE.match(line):
            out.write('\n')
            index += 1
            continue
        if RESULT_START.match(line):
            end = index + 1
            while end < len(lines) and lines[end] != '}':
                end += 1
            try:
                result = json.loads('{' + '\n'.join(lines[index + 1:end + 1]))
            except ValueError:
                result = None
            if isinstance(result, dict):
                shown = '<the result of a module of another collection>' if foreign else _harness_free(result)
                out.write(line[:line.rindex('=>')] + json.dumps(shown) + '\n' + '\n' * (end - index))
                index = end + 1
                continue
        out.write(line + '\n')
        index += 1


def scan(logs, secrets):
    """[(log, line number, masked line)] of every line holding a secret."""
    patterns = {}
    for secret in secrets:
        for form in variants(secret):
            patterns[form] = secret
    with tempfile.NamedTemporaryFile('w', suffix='.patterns', delete=False) as handle:
        handle.write('\n'.join(sorted(patterns)) + '\n')
        pattern_file = handle.name
    try:
        proc = subprocess.run(['grep', '-a', '-H', '-n', '-F', '-f', pattern_file, '--'] + list(logs),
                              capture_output=True, check=False)
    finally:
        os.unlink(pattern_file)
    if proc.returncode not in (0, 1):
        raise ScanVoid('grep failed: %s' % proc.stderr.decode('utf-8', 'replace').strip())
    hits = []
    for raw in proc.stdout.decode('utf-8', 'replace').splitlines():
        log, number, text = raw.split(':', 2)
        for form in sorted(patterns, key=len, reverse=True):
            text = text.replace(form, form[:4] + '<...>')
        hits.append((log, int(number), text[:300]))
    return hits


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--state', required=True, help="the simulators' state directory (endpoints.json)")
    parser.add_argument('--extra', action='append', default=[], help='a file of more secrets, one a line')
    parser.add_argument('--min', type=int, default=20, help='fewer secrets than this: the scan is void (default 20)')
    parser.add_argument('--ansible-output', action='store_true',
                        help="the logs are Ansible's -vvv output: leave out what the test harness shows on purpose")
    parser.add_argument('logs', nargs='+')
    args = parser.parse_args(argv)
    try:
        for log in args.logs:
            if not os.path.isfile(log) or os.path.getsize(log) == 0:
                raise ScanVoid('%s is missing or empty: nothing was scanned' % log)
        secrets = seed_secrets()
        for url, issued in issued_secrets(args.state).items():
            if not issued:
                raise ScanVoid('the simulator at %s issued no secret: the run under scan did not use it' % url)
            secrets.update(issued)
        for extra in args.extra:
            with open(extra, encoding='utf-8') as handle:
                secrets.update(line.rstrip('\n') for line in handle if line.strip() and not line.startswith('#'))
        secrets = set(secret for secret in secrets if secret and len(secret) >= MIN_LENGTH)
        if len(secrets) < args.min:
            raise ScanVoid('only %d secrets to look for (at least %d expected)' % (len(secrets), args.min))
        if args.ansible_output:
            with tempfile.TemporaryDirectory() as folder:
                scanned = []
                for number, log in enumerate(args.logs):
                    scanned.append(os.path.join(folder, '%d-%s' % (number, os.path.basename(log))))
                    with open(scanned[-1], 'w', encoding='utf-8') as out:
                        ansible_output(log, out)
                hits = [(args.logs[scanned.index(log)], line, text) for log, line, text in scan(scanned, secrets)]
        else:
            hits = scan(args.logs, secrets)
    except ScanVoid as exc:
        sys.stderr.write('secret scan FAILED CLOSED: %s\n' % exc)
        return 2
    size = sum(os.path.getsize(log) for log in args.logs)
    for log, number, text in hits:
        sys.stderr.write('secret scan: a secret in %s line %d: %s\n' % (log, number, text))
    sys.stdout.write('secret scan: %d secrets looked for in %d log(s), %.1f MB: %s\n'
                     % (len(secrets), len(args.logs), size / 1e6, '%d leak(s)' % len(hits) if hits else 'none found'))
    return 1 if hits else 0


if __name__ == '__main__':
    sys.exit(main())
