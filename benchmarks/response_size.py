# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Memory and time of one GET of a large answer through the collection's HttpClient (benchmarks/README.md).

Usage: benchmark_response_size.py COLLECTIONS_DIR   (the directory holding ansible_collections/opsauth/tokens, e.g. build)
Each case runs in a fresh process, so that its peak RSS is its own. The server is a threaded http.server on
127.0.0.1 sending a JSON string of the given size, chunked (no Content-Length), or endless. Each case's process may
use 2 GiB of address space at most (MemoryError beyond).
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MIB = 1024 * 1024
CASES = [('1 MiB', 1 * MIB), ('50 MiB', 50 * MIB), ('300 MiB', 300 * MIB), ('endless', None)]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        size = None if self.path == '/endless' else int(self.path[1:])
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Transfer-Encoding', 'chunked')
        self.end_headers()
        block, sent = b'x' * 65536, 0
        try:
            self.wfile.write(b'1\r\n"\r\n')
            while size is None or sent < size:
                piece = block if size is None else block[:min(len(block), size - sent)]
                self.wfile.write(b'%x\r\n%s\r\n' % (len(piece), piece))
                sent += len(piece)
            self.wfile.write(b'1\r\n"\r\n0\r\n\r\n')
        except OSError:
            pass


def one(collections, port, path):
    # An endless answer read whole would take the machine's memory: stop this process at 2 GiB of address space.
    resource.setrlimit(resource.RLIMIT_AS, (2048 * MIB, 2048 * MIB))
    sys.path.insert(0, collections)
    from ansible_collections.opsauth.tokens.plugins.module_utils.http._http import HttpClient
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        HttpClient('http://127.0.0.1:%d' % port, retries=0, timeout=30).request('GET', path)
        outcome = 'read'
    except (Exception, MemoryError) as exc:  # the outcome is what we report
        outcome = type(exc).__name__
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024
    print(json.dumps(dict(outcome=outcome, rss_mib=grown, seconds=round(time.monotonic() - started, 2))))


def main(collections):
    if len(sys.argv) > 3:
        return one(collections, int(sys.argv[2]), sys.argv[3])
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print('| answer   | outcome              | peak RSS growth | seconds |')
    print('|----------|----------------------|-----------------|---------|')
    for name, size in CASES:
        path = '/endless' if size is None else '/%d' % size
        out = subprocess.run([sys.executable, __file__, collections, str(server.server_address[1]), path],
                             capture_output=True, text=True, timeout=120, check=True).stdout
        row = json.loads(out)
        print('| %-8s | %-20s | %11d MiB | %7.2f |' % (name, row['outcome'], row['rss_mib'], row['seconds']))
    server.shutdown()


if __name__ == '__main__':
    main(sys.argv[1])
