# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""TLS as the user sees it: the server's certificate, the validate_certs=false warning, a port that speaks TLS.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Standard library only (``cryptography`` is used when present, to read a certificate that was not verified).

- ``peer_certificate``: the certificate of the connection an answer came on, read before its body (urllib3 hands the
  connection back to its pool once the body is read), with verification as it was: nothing is sent twice and nothing
  is disabled to read it.
- ``describe_certificate``: its subject, issuer and expiry, in the collection's vocabulary (``date_expired`` ISO 8601
  UTC, ``expires_at`` epoch seconds).
- ``speaks_tls``: whether a port answers a TLS handshake, to turn "Connection aborted" on an http:// url into "use
  https://". Only a handshake: no request, no credential.
- ``insecure_warning``: the one warning a task gives for validate_certs=false (urllib3's own is silenced for our
  requests only, in _http).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar
import socket
import ssl
import time

from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import origin

# The short names of RFC 4514 for the attributes ssl.getpeercert() spells out.
_SHORT_NAMES = {'commonName': 'CN', 'organizationName': 'O', 'organizationalUnitName': 'OU', 'countryName': 'C',
                'localityName': 'L', 'stateOrProvinceName': 'ST', 'domainComponent': 'DC', 'emailAddress': 'E'}
# The options that hold a server's URL, in every module.
URL_OPTIONS = ('url', 'fauths_url', 'fuser_url')
# How long the handshake probe may take: it only decides a hint.
PROBE_TIMEOUT = 5


def insecure_warning(urls, validate_certs):
    """The one warning a task gives for validate_certs=false when it talks to an https:// url (None otherwise)."""
    urls = [urls] if urls is None or isinstance(urls, str) else urls
    servers = sorted(set(origin(url) for url in urls if str(url or '').strip().lower().startswith('https://')))
    if validate_certs is not False or not servers:
        return None
    return ('validate_certs=false: the TLS certificate of %s is not checked, so the credentials of this task could go '
            'to anyone on the network path; give the CA certificate in ca_path instead' % ' and '.join(servers))


def warn_insecure(module, names=URL_OPTIONS):
    """``module.warn`` the insecure_warning of a module's url options, once per task (a module runs once per task)."""
    message = insecure_warning([module.params.get(name) for name in names], module.params.get('validate_certs'))
    if message:
        module.warn(message)


def peer_certificate(resp):
    """``(DER bytes, getpeercert() dict)`` of the TLS connection a streamed requests answer came on, or None.

    The dict is empty when the certificate was not verified (the ssl module decodes only verified ones).
    """
    raw = getattr(resp, 'raw', None)
    conn = getattr(raw, 'connection', None) or getattr(raw, '_connection', None)
    sock = getattr(conn, 'sock', None)
    if sock is None or not hasattr(sock, 'getpeercert'):
        return None
    try:
        der = sock.getpeercert(binary_form=True)
        decoded = sock.getpeercert() or {}
    except (ValueError, OSError, ssl.SSLError):
        return None
    return (der, decoded) if der else None


def describe_certificate(peer):
    """``{subject, issuer, date_expired, expires_at}`` of a peer_certificate() answer; None values where unknown."""
    result = dict(subject=None, issuer=None, date_expired=None, expires_at=None)
    if not peer:
        return result
    der, decoded = peer
    if decoded:
        result.update(subject=_dn(decoded.get('subject')), issuer=_dn(decoded.get('issuer')))
        if decoded.get('notAfter'):
            result['expires_at'] = int(ssl.cert_time_to_seconds(decoded['notAfter']))
    else:
        result.update(_from_der(der))
    if result['expires_at'] is not None:
        result['date_expired'] = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(result['expires_at']))
    return result


def _dn(rdns):
    parts = []
    for rdn in rdns or ():
        for name, value in rdn:
            parts.append('%s=%s' % (_SHORT_NAMES.get(name, name), value))
    return ', '.join(parts) or None


def _from_der(der):
    """Subject, issuer and expiry of a certificate that was not verified: only with ``cryptography``."""
    try:
        from cryptography import x509
    except ImportError:
        return {}
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return {}
    end = getattr(cert, 'not_valid_after_utc', None) or cert.not_valid_after
    return dict(subject=', '.join(attr.rfc4514_string() for attr in cert.subject) or None,
                issuer=', '.join(attr.rfc4514_string() for attr in cert.issuer) or None,
                expires_at=int(calendar.timegm(end.utctimetuple())))


def speaks_tls(host, port, timeout=PROBE_TIMEOUT):
    """True when ``host:port`` completes a TLS handshake. The certificate is not checked: only the answer is used,
    to suggest https://, and nothing is sent over the connection."""
    try:
        sock = socket.create_connection((host, port), timeout=min(timeout, PROBE_TIMEOUT))
    except OSError:
        return False
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with context.wrap_socket(sock, server_hostname=host):
            return True
    except (ssl.SSLError, OSError):
        return False
    finally:
        sock.close()
