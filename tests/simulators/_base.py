# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared machinery of the opsauth.tokens API simulators (test-only code, stdlib + cryptography for TLS).

A simulator is a ``SimApp`` subclass served by one ``ThreadingHTTPServer`` per listener, bound to
127.0.0.1 or ::1 only (optionally wrapped in TLS with a self-signed certificate generated on first use).

Routes are ``(method, path regex) -> handler(request) -> (status, headers, body)``:
``body`` None -> empty, bytes/str -> sent as is (text/plain unless a Content-Type header is given),
anything else -> compact JSON. A header value that is a list is sent as several header lines.

Every request except ``/_sim/*`` is recorded (in memory, and as JSON lines in ``--log-file``):
``{"seq", "time", "client", "method", "path", "query", "headers", "body", "status", ...extra}``
(``status`` is null when the connection was dropped by a fault; ``fault`` names the fault kind applied).

Control API (no auth, not logged, never faulted):
  GET    /_sim/health                    -> {"ok": true, "in_flight": N (other requests being answered now)}
  GET    /_sim/requests?method=&path=&path_prefix=&status=&since=<seq>&<extra field>=
                                         -> {"count": N, "requests": [...]}
  POST   /_sim/reset   {"state": bool}   -> clears the log and the faults; state=true also reseeds users/tokens/lockouts
  GET    /_sim/faults                    -> {"faults": [...]}
  POST   /_sim/faults  {"method", "path", "path_prefix", "kind", "status", "count", "delay", "retry_after"}
         kind: status (default 503) | html (default 200, nginx "502 Bad Gateway" page) |
               invalid_json (default 200, body '{"token": ') | drop (close the socket, no answer) |
               delay (sleep ``delay`` seconds, default 1, then answer normally; combines with one other fault) |
               body (default 200: ``body`` as the answer, JSON unless it is a string; ``content_type`` optional;
                     ``"body": ""`` is an empty body) |
               truncate (default 200: a JSON body whose Content-Length promises ``size`` bytes (default 4096), of
                     which half is sent before the socket is closed: the connection dropped mid-body) |
               big (default 200: a valid JSON object {"detail": "xxx..."} of ``size`` bytes (default 50 MiB) with its
                     Content-Length, streamed in 64 KiB writes, never built in memory) |
               endless (default 200: a chunked JSON body that never ends: 64 KiB chunks every ``interval`` seconds
                     (default 0) until the client hangs up; ``size`` bytes, when given, end it as a safety net)
         count: how many matching requests get it (default 1; 0 or less = until cleared)
         size, interval, body, content_type: see the kinds above
  DELETE /_sim/faults                    -> clears the faults
"""
from __future__ import annotations

import argparse
import datetime
import ipaddress
import json
import os
import re
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import traceback
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    HAS_CRYPTOGRAPHY = True
except ImportError:
    HAS_CRYPTOGRAPHY = False

HTML_502 = ('<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n'
            '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n')
FAULT_KINDS = ('status', 'delay', 'html', 'invalid_json', 'drop', 'body', 'truncate', 'big', 'endless')
FAULT_DEFAULT_STATUS = {'status': 503, 'html': 200, 'invalid_json': 200, 'body': 200, 'truncate': 200, 'big': 200, 'endless': 200}
FAULT_FIELDS = ('kind', 'method', 'path', 'path_prefix', 'status', 'count', 'delay', 'retry_after', 'size', 'interval',
                'body', 'content_type')
# Faults that write their answer themselves, straight to the socket (a body too large to build, or a broken one).
STREAM_FAULTS = ('truncate', 'big', 'endless')
STREAM_CHUNK = 64 * 1024
DEFAULT_BIG_SIZE = 50 * 1024 * 1024
METHOD_NOT_ALLOWED = 'method-not-allowed'
SAFE_METHODS = ('GET', 'HEAD', 'OPTIONS', 'TRACE')


def now():
    return time.time()


def to_int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class Request:
    """One parsed HTTP request, as handed to route handlers."""

    def __init__(self, listener, scheme, method, target, headers, raw_body, peer):
        self.listener = listener
        self.scheme = scheme
        self.method = method
        self.target = target
        parts = urlsplit(target)
        self.path = parts.path or '/'
        self.query_string = parts.query
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers
        self.raw_body = raw_body
        self.peer = peer
        self.time = now()
        self.params = {}
        self.log_extra = {}
        self.cookies = {}
        if headers.get('cookie'):
            jar = SimpleCookie()
            try:
                jar.load(headers['cookie'])
            except CookieError:
                jar = SimpleCookie()
            self.cookies = {key: morsel.value for key, morsel in jar.items()}
        self.json_error = None
        self.data = self._parse_data()

    @property
    def content_type(self):
        return self.headers.get('content-type', '').split(';')[0].strip().lower()

    def q(self, name, default=None):
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def text(self):
        return self.raw_body.decode('utf-8', 'replace')

    def json_any(self):
        """The body parsed as JSON whatever the Content-Type (Go style). Raises ValueError."""
        return json.loads(self.text() or 'null')

    def _parse_data(self):
        """Body as a server framework sees it, chosen by Content-Type (DRF style)."""
        if not self.raw_body:
            return {}
        if self.content_type.endswith('json'):
            try:
                return json.loads(self.text())
            except ValueError as exc:
                self.json_error = str(exc)
                return {}
        if self.content_type == 'application/x-www-form-urlencoded':
            return form_dict(self.text())
        return {}

    def log_body(self):
        if not self.raw_body:
            return None
        try:
            return json.loads(self.text())
        except ValueError:
            pass
        if self.content_type == 'application/x-www-form-urlencoded':
            return form_dict(self.text())
        return self.text()

    def host(self):
        return self.headers.get('host', '')

    def absolute(self, path):
        return '%s://%s%s' % (self.scheme, self.host(), path)


def form_dict(text):
    return {key: val[0] if len(val) == 1 else val for key, val in parse_qs(text, keep_blank_values=True).items()}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'opsauth-simulator/1.0'
    timeout = 120

    def version_string(self):
        return self.server_version

    def _dispatch(self):
        self.server.app.handle_http(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silence the default access log: the simulator keeps its own request log."""

    def read_body(self):
        if 'chunked' in self.headers.get('Transfer-Encoding', '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = to_int(self.headers.get('Content-Length'), 0)
        return self.rfile.read(length) if length > 0 else b''

    def send(self, status, headers, body):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD' and body:
            self.wfile.write(body)

    def stream_fault(self, fault):
        """Answer with a body written piece by piece: a truncated, a huge or an endless one (see STREAM_FAULTS)."""
        kind, status = fault['kind'], fault['status']
        head, tail = b'{"detail": "', b'"}'
        filler = b'x' * STREAM_CHUNK
        self.close_connection = True
        try:
            self.send_response(status)
            self.send_header('Content-Type', 'application/json')
            if kind == 'endless':
                self.send_header('Transfer-Encoding', 'chunked')
                self.end_headers()
                limit, sent, interval = fault.get('size'), 0, float(fault.get('interval') or 0)
                self.wfile.write(b'%x\r\n%s\r\n' % (len(head), head))
                while limit is None or sent < limit:
                    self.wfile.write(b'%x\r\n%s\r\n' % (len(filler), filler))
                    sent += len(filler)
                    if interval:
                        time.sleep(interval)
                self.wfile.write(b'0\r\n\r\n')
                return
            size = fault.get('size') or (4096 if kind == 'truncate' else DEFAULT_BIG_SIZE)
            size = max(size, len(head) + len(tail))
            self.send_header('Content-Length', str(size))
            self.end_headers()
            to_send = size // 2 if kind == 'truncate' else size
            self.wfile.write(head)
            left = min(to_send, size - len(tail)) - len(head)
            while left > 0:
                piece = filler[:min(left, STREAM_CHUNK)]
                self.wfile.write(piece)
                left -= len(piece)
            if kind == 'truncate':
                self.wfile.flush()
                self.drop()
            else:
                self.wfile.write(tail)
        except (ConnectionError, OSError):
            pass  # the client hung up: what a bounded client does with an endless body

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def encode_response(response):
    """(status, headers, body) -> (status, [(name, value)], bytes)."""
    status, headers, body = response
    lines = []
    for name, value in (headers or {}).items():
        for item in value if isinstance(value, list) else [value]:
            lines.append((name, str(item)))
    default_type = 'text/plain; charset=utf-8'
    if body is None:
        data = b''
    elif isinstance(body, bytes):
        data = body
    elif isinstance(body, str):
        data = body.encode('utf-8')
    else:
        data = json.dumps(body, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
        default_type = 'application/json'
    if data and not any(name.lower() == 'content-type' for name, dummy in lines):
        lines.append(('Content-Type', default_type))
    return status, lines, data


class SimApp:
    """Base of a simulator: routing, request log, faults and the /_sim control API."""

    name = 'simulator'
    # listener name -> (args attribute of its port, args attribute of its port file)
    listeners = {'main': ('port', 'port_file')}

    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.routes = []
        self.controls = []
        self.requests = []
        self.seq = 0
        self.faults = []
        self.fault_seq = 0
        self.endpoints = {}  # listener -> (scheme, host, port)
        self.issued = set()  # every secret this simulator handed out, for tests that look for leaks
        self.in_flight = 0  # requests being answered (a delayed one is logged only once answered)
        self.control('GET', r'/_sim/health', lambda req: (200, {}, {'ok': True, 'in_flight': self.in_flight - 1}))
        self.control('GET', r'/_sim/issued', lambda req: (200, {}, {'secrets': sorted(self.issued)}))
        self.control('GET', r'/_sim/requests', self.ctl_requests)
        self.control('POST', r'/_sim/reset', self.ctl_reset)
        self.control('GET', r'/_sim/faults', lambda req: (200, {}, {'faults': self.faults}))
        self.control('POST', r'/_sim/faults', self.ctl_add_fault)
        self.control('DELETE', r'/_sim/faults', self.ctl_clear_faults)
        self.reset_state()

    def remember(self, *secrets):
        """Record secrets handed out (tokens, keys, session ids): GET /_sim/issued lists them; a reset keeps them."""
        self.issued.update(value for value in secrets if value)
        return secrets[0] if len(secrets) == 1 else secrets

    # ---- hooks for subclasses -------------------------------------------------------------
    @classmethod
    def add_arguments(cls, parser):
        """Add simulator specific command line flags."""

    def reset_state(self):
        """(Re)build the server state from its seed."""

    def annotate(self, req):
        """Called for every logged request before faults and routing (fills req.log_extra)."""

    def call(self, req, func, opts):
        """Run a matched route handler (override to add authentication, throttling...)."""
        return func(req)

    def error_response(self, status, message, retry_after=None):
        """A JSON error answer in the simulator's own style (used by status faults)."""
        raise NotImplementedError

    def not_found(self, req):
        return self.error_response(404, 'Not found: %s' % req.path)

    def method_not_allowed(self, req):
        return self.error_response(405, 'Method "%s" not allowed.' % req.method)

    def server_error(self, req):
        return self.error_response(500, 'Server internal error')

    # ---- routing ------------------------------------------------------------------------
    def route(self, method, pattern, func, listener=None, **opts):
        self.routes.append((listener, method, re.compile(pattern), func, opts))

    def control(self, method, pattern, func):
        self.controls.append((None, method, re.compile(pattern), func, {}))

    @staticmethod
    def find(table, req, path=None):
        """(func, opts) for the request, METHOD_NOT_ALLOWED, or None; fills req.params."""
        path = req.path if path is None else path
        seen_path = False
        for listener, method, regex, func, opts in table:
            if listener not in (None, req.listener):
                continue
            match = regex.fullmatch(path)
            if not match:
                continue
            seen_path = True
            if method == req.method or (method == 'GET' and req.method == 'HEAD'):
                req.params = {key: unquote(value) for key, value in match.groupdict().items()}
                return func, opts
        return METHOD_NOT_ALLOWED if seen_path else None

    def dispatch(self, req):
        found = self.find(self.routes, req)
        if found is None:
            return self.not_found(req)
        if found == METHOD_NOT_ALLOWED:
            return self.method_not_allowed(req)
        func, opts = found
        return self.call(req, func, opts)

    # ---- HTTP entry point -----------------------------------------------------------------
    def handle_http(self, handler):
        with self.lock:
            self.in_flight += 1
        try:
            self._handle_http(handler)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _handle_http(self, handler):
        listener, scheme = handler.server.listener, handler.server.scheme
        headers = {}
        for name, value in handler.headers.items():
            key = name.lower()
            headers[key] = headers[key] + ', ' + value if key in headers else value
        req = Request(listener, scheme, handler.command, handler.path, headers, handler.read_body(), handler.client_address[0])
        if req.path.startswith('/_sim/'):
            with self.lock:
                found = self.find(self.controls, req)
                if found is None or found == METHOD_NOT_ALLOWED:
                    response = (404, {}, {'error': 'unknown control endpoint %s %s' % (req.method, req.path)})
                else:
                    response = self._safe(found[0], req)
            handler.send(*encode_response(response))
            return
        with self.lock:
            self.annotate(req)
            fault, delay = self._take_faults(req)
        if delay:
            req.log_extra['delay'] = delay
            time.sleep(delay)
        if fault and fault['kind'] == 'drop':
            self._record(req, None, fault)
            handler.drop()
            return
        if fault and fault['kind'] in STREAM_FAULTS:
            self._record(req, fault['status'], fault)
            handler.stream_fault(fault)
            return
        if fault:
            response = self._fault_response(fault)
        else:
            with self.lock:
                response = self._safe(self.dispatch, req)
        status, lines, data = encode_response(response)
        self._record(req, status, fault)
        handler.send(status, lines, data)

    def _safe(self, func, req):
        try:
            return func(req)
        except Exception:
            sys.stderr.write('%s: error while handling %s %s\n%s' % (self.name, req.method, req.target, traceback.format_exc()))
            return self.server_error(req)

    # ---- request log ----------------------------------------------------------------------
    def _record(self, req, status, fault):
        with self.lock:
            self.seq += 1
            entry = {'seq': self.seq, 'time': req.time, 'client': req.peer, 'method': req.method, 'path': req.path,
                     'query': req.query, 'headers': req.headers, 'body': req.log_body(), 'status': status}
            entry.update(req.log_extra)
            if fault:
                entry['fault'] = fault['kind']
            self.requests.append(entry)
            if self.args.log_file:
                with open(self.args.log_file, 'a') as stream:
                    stream.write(json.dumps(entry, ensure_ascii=False) + '\n')

    # ---- control: reset, faults, request log ----------------------------------------------------
    # Written once, here: the /_sim HTTP API below, the unit-test fixtures (tests/unit/plugins/conftest.py, in-process)
    # and run.py's reset / fault / requests subcommands (through the HTTP API) all go through these methods, so a
    # fault has the same defaults (FAULT_DEFAULT_STATUS) wherever a test adds it.
    def reset(self, state=False):
        """Clear the request log and the faults; ``state`` also reseeds users, tokens, lockouts and throttles."""
        with self.lock:
            self.requests = []
            self.faults = []
            if state:
                self.reset_state()

    def clear_log(self):
        """Clear the request log only (the faults and the state stay)."""
        with self.lock:
            self.requests = []

    def add_fault(self, kind='status', method=None, path=None, path_prefix=None, status=None, count=1, delay=None,
                  retry_after=None, size=None, interval=None, body=None, content_type=None):
        """Add a fault (see the module docstring for the kinds and their defaults); returns it. ValueError if bad."""
        kind = kind or 'status'
        if kind not in FAULT_KINDS:
            raise ValueError('kind must be one of %s' % ', '.join(FAULT_KINDS))
        with self.lock:
            self.fault_seq += 1
            fault = {
                'id': self.fault_seq,
                'kind': kind,
                'method': (method or '').upper() or None,
                'path': path or None,
                'path_prefix': path_prefix or None,
                'status': to_int(status, FAULT_DEFAULT_STATUS.get(kind)),
                'count': to_int(count, 1),
                'delay': float(delay if delay is not None else 1.0),
                'retry_after': retry_after,
                'size': to_int(size),
                'interval': float(interval or 0),
                'body': body,
                'content_type': content_type,
            }
            self.faults.append(fault)
        return fault

    def clear_faults(self):
        with self.lock:
            self.faults = []

    def find_requests(self, method=None, path=None, path_prefix=None, status=None, since=0, **fields):
        """The logged requests after seq ``since`` that match every filter given (``status`` and ``fields``, such as
        ``service``, compare as text, as they arrive in a query string)."""
        method = (method or '').upper()
        since = to_int(since, 0)
        with self.lock:
            return [entry for entry in self.requests
                    if entry['seq'] > since and (not method or entry['method'] == method)
                    and (path is None or entry['path'] == path)
                    and (path_prefix is None or entry['path'].startswith(path_prefix))
                    and (status is None or str(entry['status']) == str(status))
                    and all(str(entry.get(key)) == str(value) for key, value in fields.items())]

    # ---- the /_sim HTTP API over those methods ----------------------------------------------------
    def ctl_requests(self, req):
        found = self.find_requests(**{key: values[0] for key, values in req.query.items()})
        return 200, {}, {'count': len(found), 'requests': found}

    def ctl_reset(self, req):
        body = req.data if isinstance(req.data, dict) else {}
        self.reset(state=bool(body.get('state')))
        return 200, {}, {'ok': True, 'state_reset': bool(body.get('state'))}

    def ctl_add_fault(self, req):
        body = req.data if isinstance(req.data, dict) else {}
        unknown = sorted(set(body) - set(FAULT_FIELDS))
        if unknown:
            return 400, {}, {'error': 'unknown fault field(s) %s: known are %s' % (', '.join(unknown), ', '.join(FAULT_FIELDS))}
        try:
            fault = self.add_fault(**body)
        except (TypeError, ValueError) as exc:  # an unknown field, a bad kind or a number that is not one
            return 400, {}, {'error': str(exc)}
        return 201, {}, {'ok': True, 'fault': fault}

    def ctl_clear_faults(self, req):
        self.clear_faults()
        return 200, {}, {'ok': True}

    def _take_faults(self, req):
        """Consume the first matching answer fault and the first matching delay fault."""
        fault = delay = None
        for item in list(self.faults):
            if item['method'] and item['method'] != req.method:
                continue
            if (item['path'] and item['path'] != req.path) or (item['path_prefix'] and not req.path.startswith(item['path_prefix'])):
                continue
            if item['kind'] == 'delay':
                if delay is not None:
                    continue
                delay = item
            elif fault is None:
                fault = item
            else:
                continue
            item['count'] -= 1
            if item['count'] == 0:
                self.faults.remove(item)
        return fault, (delay['delay'] if delay else 0)

    def _fault_response(self, fault):
        headers = {}
        if fault['retry_after'] is not None:
            headers['Retry-After'] = fault['retry_after']
        if fault['kind'] == 'html':
            headers['Content-Type'] = 'text/html'
            return fault['status'], headers, HTML_502
        if fault['kind'] == 'invalid_json':
            headers['Content-Type'] = 'application/json'
            return fault['status'], headers, b'{"token": '
        if fault['kind'] == 'body':
            if fault.get('content_type'):
                headers['Content-Type'] = fault['content_type']
            answer = fault.get('body')
            return fault['status'], headers, answer.encode('utf-8') if isinstance(answer, str) else answer
        status, extra, body = self.error_response(fault['status'], 'Simulated fault (HTTP %s)' % fault['status'], fault['retry_after'])
        headers.update(extra)
        return status, headers, body

    # ---- misc -----------------------------------------------------------------------------
    def own_origins(self, req):
        """Origins under which this server is reachable (for CSRF style checks)."""
        scheme, dummy, port = self.endpoints.get(req.listener, ('http', '', 0))
        origins = {'%s://%s:%s' % (scheme, host, port) for host in ('127.0.0.1', 'localhost', '[::1]')}
        if req.host():
            origins.add('%s://%s' % (req.scheme, req.host()))
        return origins


# ---- TLS ------------------------------------------------------------------------------------
def ensure_certificate(cert_dir):
    """Create (once) a self-signed certificate for 127.0.0.1 / ::1 / localhost; returns (cert, key) paths."""
    cert_path, key_path = os.path.join(cert_dir, 'cert.pem'), os.path.join(cert_dir, 'key.pem')
    if os.path.exists(cert_path) and os.path.exists(key_path):
        return cert_path, key_path
    if not HAS_CRYPTOGRAPHY:
        raise RuntimeError('--tls needs the python "cryptography" package')
    os.makedirs(cert_dir, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'opsauth.tokens test simulator')])
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True, data_encipherment=False,
                          key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False)
    san = x509.SubjectAlternativeName([x509.DNSName('localhost'), x509.IPAddress(ipaddress.ip_address('127.0.0.1')),
                                       x509.IPAddress(ipaddress.ip_address('::1'))])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=825))
            .add_extension(san, critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'wb') as stream:
        stream.write(key_pem)
    os.chmod(key_path, 0o600)
    with open(cert_path, 'wb') as stream:
        stream.write(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


TEST_PKI_KINDS = ('good', 'self_signed', 'wrong_host', 'expired')


def _write_key_and_cert(directory, stem, key, cert):
    key_path, cert_path = os.path.join(directory, stem + '-key.pem'), os.path.join(directory, stem + '.pem')
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'wb') as stream:
        stream.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    with open(cert_path, 'wb') as stream:
        stream.write(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def ensure_test_pki(cert_dir):
    """(Once) a test CA and the server certificates the fault matrix presents; returns {"ca": path, kind: (cert, key)}.

    good: signed by the CA for 127.0.0.1, ::1 and localhost. self_signed: the same names, signed by itself (a client
    that trusts the CA still refuses it). wrong_host: signed by the CA for wrong-host.invalid only. expired: signed
    by the CA for 127.0.0.1, valid from 30 days ago to yesterday.
    """
    if not HAS_CRYPTOGRAPHY:
        raise RuntimeError('test certificates need the python "cryptography" package')
    paths = {'ca': os.path.join(cert_dir, 'test-ca.pem')}
    paths.update((kind, (os.path.join(cert_dir, kind + '.pem'), os.path.join(cert_dir, kind + '-key.pem'))) for kind in TEST_PKI_KINDS)
    if all(os.path.exists(p) for kind in TEST_PKI_KINDS for p in paths[kind]) and os.path.exists(paths['ca']):
        return paths
    os.makedirs(cert_dir, exist_ok=True)
    day = datetime.timedelta(days=1)
    start = datetime.datetime.now(datetime.timezone.utc) - day
    loopback = [x509.DNSName('localhost'), x509.IPAddress(ipaddress.ip_address('127.0.0.1')),
                x509.IPAddress(ipaddress.ip_address('::1'))]

    def build(common_name, public_key, issuer_name, signer, names=None, ca=False, not_before=start, not_after=start + 90 * day):
        builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
                   .issuer_name(issuer_name).public_key(public_key).serial_number(x509.random_serial_number())
                   .not_valid_before(not_before).not_valid_after(not_after)
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                   # Python 3.13's strict X.509 checks want both key identifiers.
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False))
        if ca:
            # ... and a CA certificate with keyUsage (keyCertSign): without it Python 3.13 refuses the whole chain.
            builder = builder.add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
                critical=True)
        else:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'opsauth.tokens test CA')])
    ca_cert = build('opsauth.tokens test CA', ca_key.public_key(), ca_name, ca_key, ca=True)
    _write_key_and_cert(cert_dir, 'test-ca', ca_key, ca_cert)
    os.unlink(os.path.join(cert_dir, 'test-ca-key.pem'))  # nothing signs with it again
    for kind in TEST_PKI_KINDS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == 'self_signed':
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
            cert = build('127.0.0.1', key.public_key(), name, key, loopback)
        elif kind == 'wrong_host':
            cert = build('wrong-host.invalid', key.public_key(), ca_name, ca_key, [x509.DNSName('wrong-host.invalid')])
        elif kind == 'expired':
            cert = build('127.0.0.1', key.public_key(), ca_name, ca_key, loopback, not_before=start - 30 * day, not_after=start)
        else:
            cert = build('127.0.0.1', key.public_key(), ca_name, ca_key, loopback)
        _write_key_and_cert(cert_dir, kind, key, cert)
    return paths


# ---- server and CLI -------------------------------------------------------------------------
class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host, port, app, listener, ssl_context=None):
        self.address_family = socket.AF_INET6 if ':' in host else socket.AF_INET
        self.app, self.listener = app, listener
        self.scheme = 'https' if ssl_context else 'http'
        super().__init__((host, port), _Handler)
        if ssl_context:
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's reverse DNS lookup
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ssl.SSLError, ConnectionError, TimeoutError)):
            sys.stderr.write('%s: connection error from %s: %r\n' % (self.app.name, client_address[0], exc))


def build_parser(app_cls):
    parser = argparse.ArgumentParser(description=(app_cls.__doc__ or app_cls.name).strip().splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1', help='127.0.0.1 (default), ::1 or localhost; nothing else')
    parser.add_argument('--port', type=int, default=0, help='0 = pick a free port')
    parser.add_argument('--port-file', help='write the bound port here once listening')
    parser.add_argument('--tls', action='store_true', help='serve HTTPS with a self-signed certificate')
    parser.add_argument('--cert-dir', help='where cert.pem / key.pem live (created if missing); required with --tls')
    parser.add_argument('--log-file', help='append every logged request here as a JSON line')
    app_cls.add_arguments(parser)
    return parser


def write_port_file(path, port):
    tmp = '%s.tmp%d' % (path, os.getpid())
    with open(tmp, 'w') as stream:
        stream.write('%d\n' % port)
    os.replace(tmp, path)


def main(app_cls, argv=None):
    parser = build_parser(app_cls)
    args = parser.parse_args(argv)
    host = '127.0.0.1' if args.host == 'localhost' else args.host
    if host not in ('127.0.0.1', '::1'):
        parser.error('--host must be 127.0.0.1, ::1 or localhost')
    if args.tls and not args.cert_dir:
        parser.error('--tls needs --cert-dir')
    context = None
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*ensure_certificate(args.cert_dir))
    app = app_cls(args)
    servers = []
    for listener, (port_attr, file_attr) in app_cls.listeners.items():
        server = SimServer(host, getattr(args, port_attr), app, listener, context)
        port = server.server_address[1]
        app.endpoints[listener] = (server.scheme, host, port)
        servers.append(server)
        if getattr(args, file_attr):
            write_port_file(getattr(args, file_attr), port)
        label = '' if len(app_cls.listeners) == 1 else ' (%s)' % listener
        sys.stdout.write('listening on %s://%s:%d%s\n' % (server.scheme, '[::1]' if ':' in host else host, port, label))
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *dummy: stop.set())
    signal.signal(signal.SIGINT, lambda *dummy: stop.set())
    threads = [threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2}, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    while not stop.wait(0.5):
        pass
    for server in servers:
        server.shutdown()
        server.server_close()
    return 0
