# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""HTTP through ``curl`` run inside a container or pod: for services only reachable from inside a cluster.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

DeepFlow's fuser (permanent tokens) listens inside the cluster only. CurlTransport runs curl in the target through
an ExecTarget (_exec.py) and answers like the direct HTTP transport (_http.HttpClient): same origin rule, TLS
precedence, response cap, redirect refusal and errors, so a platform client does not care which one it has.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re

from urllib.parse import urlencode

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import ConnectionFailed, InvalidResponse
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_errors import (
    ExecCommandFailed,
    ExecError,
    ExecOutputTooLarge,
)
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec_process import stderr_excerpt
from ansible_collections.opsauth.tokens.plugins.module_utils.http._transport import (
    DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT, REDIRECT_STATUSES, HttpResponse, deadline_error, decode_body, join_url,
    origin, parse_origin, redact, redirect_error, strip_html, too_large_error)

# Header names that carry credentials: they would land on curl's command line, so we refuse them.
_SECRET_HEADER = re.compile(r'(authorization|cookie|token|secret|pass|key|csrf)', re.I)
# Room for the -w trailer (a redirect URL and the status) on top of the body.
_TRAILER_ROOM = 16 * 1024
# curl's exit codes that have a code of their own (docs/errors.md): could not resolve, TLS handshake, certificate.
_CURL_CODES = {6: 'name_not_resolved', 35: 'tls_error', 60: 'tls_error'}
_STATUS_TRAILER = re.compile(r'\n([^\n]*)\n(\d{3})$')


def _secret_values(body):
    if not isinstance(body, dict):
        return []
    return [str(value) for key, value in body.items() if value and _SECRET_HEADER.search(str(key))]


class CurlTransport:
    """HTTP over ``curl`` run inside the target: for services only reachable from inside a cluster (DeepFlow's fuser).

    ``request(method, path, params, json_body, headers)`` returns an HttpResponse like the direct HTTP transport, so
    a platform client does not care which one it has. The request body goes on stdin (``--data-binary @-``); the URL
    and the headers are on curl's command line, so they must not carry secrets (a secret-looking header is refused).
    """

    def __init__(self, target, base_url, timeout=DEFAULT_TIMEOUT, validate_certs=True, curl='curl', secrets=(),
                 ca_path=None, max_response_size=DEFAULT_MAX_RESPONSE_SIZE):
        if parse_origin(base_url) is None:
            raise ExecError('url must be an absolute http:// or https:// URL, got %r' % (base_url,), code='invalid_option')
        self.target = target
        self.base_url = base_url.strip().rstrip('/')
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.max_response_size = max_response_size or DEFAULT_MAX_RESPONSE_SIZE
        self.curl = curl
        self.secrets = list(secrets)
        self.attempts = 0

    def sibling(self, base_url):
        """The same target, settings and secrets for another service of the cluster (fauths beside fuser)."""
        return CurlTransport(self.target, base_url, timeout=self.timeout, validate_certs=self.validate_certs,
                             curl=self.curl, secrets=self.secrets, ca_path=self.ca_path,
                             max_response_size=self.max_response_size)

    def url_for(self, path, params=None):
        # The same origin rule as the direct transport: the request goes to base_url's scheme, host and port only.
        url = join_url(self.base_url, path)
        if params:
            url += ('&' if '?' in url else '?') + urlencode(sorted(params.items()) if isinstance(params, dict) else params)
        return url

    def curl_argv(self, method, url, headers=None, has_body=False):
        # -q must come first (curl honours it only there): no ~/.curlrc of the pod's user, whose ``location`` would
        # make a 307 resend the body, the password, to the redirect's target, and whose ``proxy``/``netrc`` lines
        # would change where and with what the request goes. --max-redirs 0 and no --location: a redirect is never
        # followed (we report its Location, like the direct transport). --proto: http and https only.
        argv = [self.curl, '-q', '-sS', '--max-redirs', '0', '--proto', '=http,https', '-X', method.upper()]
        if self.timeout:
            # curl's --max-time bounds the whole transfer, body included: the deadline of the direct transport.
            argv += ['--max-time', str(int(self.timeout))]
        # The TLS precedence of _http.tls_verify, as curl spells it: -k > --cacert > curl's own CURL_CA_BUNDLE (the
        # pod's environment) > its default store. ca_path is a path inside the pod here.
        if self.validate_certs is False:
            argv.append('-k')
        elif self.ca_path:
            argv += ['--cacert', self.ca_path]
        # Stops early on a Content-Length over the cap; a chunked body is capped where its output is read.
        argv += ['--max-filesize', str(int(self.max_response_size))]
        for name, value in sorted((headers or {}).items()):
            if _SECRET_HEADER.search(name):
                raise ExecError('refusing to send header %s through curl: it would be visible on the command line' % name, code='invalid_option')
            argv += ['-H', '%s: %s' % (name, value)]
        if has_body:
            if not any(name.lower() == 'content-type' for name in (headers or {})):
                argv += ['-H', 'Content-Type: application/json']
            argv += ['--data-binary', '@-']
        # curl prints the body, then this trailer: the Location of a redirect and the status code, each after a newline,
        # which we split off again.
        return argv + ['-w', '\\n%{redirect_url}\\n%{http_code}', url]

    def request(self, method, path, params=None, json_body=None, headers=None, expect_json=True, secrets=(), retry=None):
        """Send one request with curl in the target and return an HttpResponse (no retries: the caller decides).

        The positional order is the one _deepflow.PermanentTokenClient uses for its transports; ``retry`` is accepted
        as _http.HttpClient.request takes it (DeepFlowClient's login) and means nothing here: curl never retries.
        """
        # Whatever the body holds under a secret-looking key is removed from any error text, on top of ``secrets``.
        secrets = self.secrets + list(secrets or ()) + _secret_values(json_body)
        url = self.url_for(path, params)
        body = None if json_body is None else json.dumps(json_body)
        argv = self.curl_argv(method, url, headers, has_body=body is not None)
        self.attempts += 1
        try:
            # The cap of the direct transport, on what curl prints (the body, then a short trailer): --max-filesize
            # does not stop a chunked body, and communicate() would hold all of it.
            result = self.target.run(argv, stdin=body, secrets=secrets, check=False,
                                     max_output=self.max_response_size + _TRAILER_ROOM)
        except ExecOutputTooLarge:
            raise too_large_error(origin(url), self.max_response_size)
        if result.rc != 0:
            self.target.raise_for_runtime_error(result, secrets)
            message = redact(stderr_excerpt(result.stderr), secrets)
            # curl's exit codes for "could not resolve", "could not connect", "timed out", TLS: the server was never reached
            if result.rc == 63:
                raise too_large_error(origin(url), self.max_response_size)
            if result.rc == 28:
                raise deadline_error(method.upper(), url, self.timeout)
            if result.rc in (6, 7, 35, 52, 56, 60):
                raise ConnectionFailed('%s %s from %s failed: %s' % (method.upper(), url, self.target.describe(), message),
                                       code=_CURL_CODES.get(result.rc))
            raise ExecCommandFailed('curl in %s exited with status %d: %s' % (self.target.describe(), result.rc, message),
                                    rc=result.rc, stderr=redact(result.stderr, secrets))
        match = _STATUS_TRAILER.search(result.stdout)
        if not match:
            raise InvalidResponse('curl in %s printed no status code: is it really curl? output: "%s"'
                                  % (self.target.describe(), strip_html(redact(result.stdout, secrets))))
        status = int(match.group(2))
        if status in REDIRECT_STATUSES:
            raise redirect_error(method.upper(), url, status, redact(match.group(1), secrets))
        parsed, text = decode_body(result.stdout[:match.start()], status, origin(url), expect_json=expect_json,
                                   secrets=secrets, url=url)
        return HttpResponse(status, {}, text, parsed, url)
