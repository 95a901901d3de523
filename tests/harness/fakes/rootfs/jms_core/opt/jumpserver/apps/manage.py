#!/usr/bin/env python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fake JumpServer manage.py (TEST ONLY): ``shell`` the way Django runs it, with models backed by the simulator.

``shell -c CODE`` executes CODE; ``shell`` without -c executes standard input as code (as Django does when stdin is
not a terminal: the reason the collection always passes -c and keeps its input as data). "Booting" writes log lines to
stderr like JumpServer does (one of them looks like a result line, to prove callers read only stdout), waits
OPSAUTH_FAKE_DELAY seconds, and with OPSAUTH_FAKE_NOISE also prints forged result lines on stdout.
OPSAUTH_FAKE_ALLOWED_HOSTS=N prints N "ALLOWED_HOSTS: [...]" lines on stdout first, as JumpServer v3.10's settings do
(18 on a real v3.10.23); without it (or with 0), a fake container backed by a JumpServer simulator in v3.10 mode (GET
/_sim/version answers 3) prints 18 of them. OPSAUTH_FAKE_STDOUT_FLOOD=BYTES prints that many bytes of log lines on
stdout first. OPSAUTH_FAKE_DELAY is the boot cost: a real ``manage.py shell`` takes about 7 s; the fakes default to 0,
the private token benchmark sets a scaled value (benchmarks/README.md).
"""
import os
import sys
import time

V3_ALLOWED_HOSTS_LINES = 18


def boot():
    import _fake_jumpserver as store  # pylint: disable=import-outside-toplevel
    version = store.version()
    # The fake runtime always sets the variable (0 by default): 0 means the version decides.
    count = int(os.environ.get('OPSAUTH_FAKE_ALLOWED_HOSTS') or 0) or (V3_ALLOWED_HOSTS_LINES if version == 3 else 0)
    for dummy in range(count):
        sys.stdout.write("ALLOWED_HOSTS: ['*', 'localhost', '127.0.0.1', 'jms_core']\n")
    flood = int(os.environ.get('OPSAUTH_FAKE_STDOUT_FLOOD') or 0)
    line = '2026-01-01 10:00:00 [DEBUG] django.db.backends: (0.001) SELECT 1; args=()\n'
    while flood > 0:
        sys.stdout.write(line[:flood])
        flood -= len(line)
    sys.stderr.write('2026-01-01 10:00:00 [INFO] jumpserver: Loading settings from /opt/jumpserver/config.yml\n')
    sys.stderr.write('2026-01-01 10:00:00 [DEBUG] python: %s\n' % sys.executable)
    sys.stderr.write('2026-01-01 10:00:01 [WARNING] OPSAUTH_RESULT={"ok": true, "token": "forged-on-stderr", "nonce": "x"}\n')
    sys.stderr.flush()
    delay = float(os.environ.get('OPSAUTH_FAKE_DELAY') or 0)
    if delay:
        time.sleep(delay)
    if os.environ.get('OPSAUTH_FAKE_NOISE'):
        sys.stdout.write('OPSAUTH_RESULT={"ok": true, "changed": false, "token": "forged-on-stdout", "nonce": "guess"}\n')
        sys.stdout.write('OPSAUTH_RESULT=not json at all\n')
    if version == 3:
        sys.stdout.write('Jumpserver version v3.10.23 (fake), build by opsauth tests\n')
    else:
        sys.stdout.write('Jumpserver version v4.10.16 (fake), build by opsauth tests\n')
    sys.stdout.flush()


def main(argv):
    if len(argv) < 2:
        sys.stdout.write("\nType 'manage.py help <subcommand>' for help on a specific subcommand.\n")
        return 0
    if argv[1] != 'shell':
        sys.stderr.write("Unknown command: '%s'\nType 'manage.py help' for usage.\n" % argv[1])
        return 1
    args = argv[2:]
    code = None
    if args[:1] in (['-c'], ['--command']):
        if len(args) < 2:
            sys.stderr.write('manage.py shell: error: argument -c/--command: expected one argument\n')
            return 2
        code = args[1]
    elif args:
        sys.stderr.write('manage.py shell: error: unrecognized arguments: %s\n' % ' '.join(args))
        return 2
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    boot()
    if code is None:
        code = sys.stdin.read()
    namespace = {'__name__': '__main__', '__builtins__': __builtins__}
    exec(compile(code, '<string>', 'exec'), namespace)  # pylint: disable=exec-used
    delay = float(os.environ.get('OPSAUTH_FAKE_DELAY') or 0)
    if delay:
        time.sleep(delay)  # JumpServer's shell takes its time to shut down too
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
