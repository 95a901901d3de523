# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real HTTP(S) server on 127.0.0.1 and real certificates, for testing the HTTP layer with the real requests stack.

Nothing here replaces requests: the tests send through HttpClient (or curl) to these servers, which log every request
(method, path, headers) so that a test can count what reached which server. Certificates are made with the
``cryptography`` package: a private CA, a leaf it signs for 127.0.0.1, the same for another host name, an expired one,
and a self-signed one.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import ipaddress
import json
import os
import socket
import ssl
import threading
import time

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

MIB = 1024 * 1024


# --- certificates ----------------------------------------------------------------------------------------------------

def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write(directory, stem, cert, key=None):
    cert_path = os.path.join(directory, stem + '.pem')
    with open(cert_path, 'wb') as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    if key is None:
        return cert_path, None
    key_path = os.path.join(directory, stem + '.key')
    with open(key_path, 'wb') as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return cert_path, key_path


def _ca(common_name):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(_name(common_name))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def _leaf(host, issuer_cert, issuer_key, expired=False):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = (now - datetime.timedelta(days=30), now - datetime.timedelta(days=1)) if expired else \
        (now - datetime.timedelta(days=1), now + datetime.timedelta(days=30))
    try:
        alt = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        alt = x509.DNSName(host)
    issuer_cert = issuer_cert or None
    builder = (x509.CertificateBuilder().subject_name(_name(host))
               .issuer_name(issuer_cert.subject if issuer_cert else _name(host))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256()), key


class Certificates:
    """PEM files in ``directory``: ``ca`` (the private CA), ``other_ca`` (a CA that signed nothing we serve), and
    server chains ``good`` (127.0.0.1 by the CA), ``wrong_host`` (wrong.invalid by the CA), ``expired`` (127.0.0.1 by
    the CA, expired yesterday) and ``self_signed`` (127.0.0.1, its own issuer). Each chain is (cert, key) paths."""

    def __init__(self, directory):
        ca_cert, ca_key = _ca('opsauth test private CA')
        other_cert, _other_key = _ca('opsauth unrelated CA')
        self.ca = _write(directory, 'ca', ca_cert)[0]
        self.other_ca = _write(directory, 'other-ca', other_cert)[0]
        self.good = _write(directory, 'good', *_leaf('127.0.0.1', ca_cert, ca_key))
        self.wrong_host = _write(directory, 'wrong-host', *_leaf('wrong.invalid', ca_cert, ca_key))
        self.expired = _write(directory, 'expired', *_leaf('127.0.0.1', ca_cert, ca_key, expired=True))
        cert, key = _leaf('127.0.0.1', None, None)
        self.self_signed = _write(directory, 'self-signed', cert, key)


# --- the server ------------------------------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):  # quiet: the log is self.server.log
        pass

    def _any(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        self.server.log.append(dict(method=self.command, path=self.path, headers=dict(self.headers.items()), body=body))
        route = self.server.routes.get(urlsplit(self.path).path) or self.server.routes.get('*')
        if route is None:
            return self.send_json(404, {'detail': 'not found'})
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout):
            pass  # the client stopped reading: what the size cap and the deadline are for

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _any

    def send_json(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_sized(self, size, chunk=MIB):
        """``size`` bytes of a JSON string, with a Content-Length."""
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(size))
        self.end_headers()
        self._stream(size, chunk, chunked=False)

    def send_chunked(self, size=None, chunk=64 * 1024, pause=0.0, stop_after=60.0):
        """A chunked body of ``size`` bytes, or endless (until the client goes or ``stop_after`` seconds)."""
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Transfer-Encoding', 'chunked')
        self.end_headers()
        self._stream(size, chunk, chunked=True, pause=pause, stop_after=stop_after)

    def _stream(self, size, chunk, chunked, pause=0.0, stop_after=60.0):
        block = b'x' * chunk
        sent, started = 0, time.monotonic()
        while (size is None or sent < size) and time.monotonic() - started < stop_after:
            piece = block if size is None else block[:min(chunk, size - sent)]
            if sent == 0:
                piece = b'"' + piece[1:]
            if size is not None and sent + len(piece) == size:
                piece = piece[:-1] + b'"'  # a finite body is one JSON string
            self.wfile.write(b'%x\r\n%s\r\n' % (len(piece), piece) if chunked else piece)
            sent += len(piece)
            if pause:
                time.sleep(pause)
        if chunked:
            self.wfile.write(b'0\r\n\r\n')
        self.close_connection = True


class LoopbackServer:
    """A threaded HTTP(S) server on 127.0.0.1 with ``routes`` ({path: function(handler)}, '*' for any path).

    ``log`` lists every request that reached it. ``chain`` (cert, key) makes it HTTPS.
    """

    def __init__(self, routes=None, chain=None):
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, address: None
        self.httpd.routes = dict(routes or {})
        self.httpd.log = []
        self.scheme = 'http'
        if chain:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*chain)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = 'https'
        self.port = self.httpd.server_address[1]
        self.url = '%s://127.0.0.1:%d' % (self.scheme, self.port)
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs=dict(poll_interval=0.05))
        self._thread.daemon = True

    @property
    def log(self):
        return self.httpd.log

    @property
    def routes(self):
        return self.httpd.routes

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class ForwardProxy(LoopbackServer):
    """A plain-HTTP forward proxy: takes ``GET http://host:port/path`` and relays it; logs what it relayed."""

    def __init__(self):
        super(ForwardProxy, self).__init__(routes={'*': _relay})


def _relay(handler):
    import http.client
    target = urlsplit(handler.path)
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    headers = dict((k, v) for k, v in handler.headers.items() if k.lower() not in ('proxy-connection', 'connection'))
    conn.request(handler.command, target.path + ('?' + target.query if target.query else ''), headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    handler.send_response(resp.status)
    for name, value in resp.getheaders():
        if name.lower() not in ('transfer-encoding', 'connection', 'content-length'):
            handler.send_header(name, value)
    handler.send_header('Content-Length', str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
