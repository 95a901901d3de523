# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""DeepFlow fauths + fuser simulator (test-only), after /work/shared/api-notes/deepflow.md.

Run: python tests/simulators/deepflow.py --port 0 --port-file F --fuser-port 0 --fuser-port-file F2 [--host 127.0.0.1]
     [--tls --cert-dir D] [--log-file F] [--users FILE] [--access-ttl 3600] [--refresh-ttl 2592000]
     [--max-failures 5] [--lock-time 1800] [--fuser-prefix /v1/user/permanent_token] [--jwt-secret S]

One process, two listeners sharing state, request log and faults (log entries carry "service": "fauths"|"fuser"):
- fauths (--port): POST /login, POST /refresh_token, POST /logout, GET /user, each also under /api/fauths/.
- fuser (--fuser-port): POST <prefix>, GET <prefix>?email=, DELETE <prefix>/<lcuuid>.
Built-in users (``--users FILE``: JSON list of {"email", "password"} replaces them):
admin@deepflow.local/Df-Admin-Pass-1, dev@yunshan.net.cn/dev-pwd, ops@example.com/Ops-Pass-1.

Every answer, errors included, is the envelope {"OPT_STATUS", "DESCRIPTION", "DATA"}; request bodies are read as JSON
whatever the Content-Type (Go style). Choices made where the notes are silent:
- Bad JSON body: 400 INVALID_POST_DATA. Missing/invalid fields or wrong grant_type: 400 INVALID_PARAMETERS.
- Wrong password or unknown email on /login: 400 INVALID_PARAMETERS "email or password error"; after --max-failures (5)
  failures for one email every login of that email (right password too) answers 403 NO_PERMISSIONS "account locked"
  until --lock-time seconds after the last failure. A successful login clears the counter.
- Access and refresh tokens are HS256 JWTs (claims exp, iat, email, jti, type, user_id). Each /login issues a new pair.
- /refresh_token rotates: the old refresh token stops working, the access token issued with it stays valid until it
  expires. Unknown, expired, rotated or revoked refresh token: 400 INVALID_PARAMETERS "refresh_token invalid or expired".
- A rotated refresh token presented again (reuse) is refused the same way AND revokes every token issued from it since
  (the refresh tokens of later rotations and their access tokens): what a server that rotates refresh tokens is advised
  to do (OAuth 2.0 Security Best Current Practice, RFC 9700 section 4.14.2), because it cannot tell whether the
  legitimate client or a thief presented the old one. The notes are silent; this is the stricter plausible answer, and
  a client that survives it survives the lenient one. Reuse is counted in GET /_sim/state ("refresh_reuse").
- /logout revokes the presented access token and the refresh token issued with it -> 200 SUCCESS, DATA null.
  Missing, unknown, expired or already revoked access token (or a permanent key): 400 INVALID_PARAMETERS "token invalid".
- GET /user (simulator-only convenience, used by tests to prove a token is (un)usable): Bearer access token or
  permanent ACCESS_KEY -> 200 DATA {"email", "token_type": "access"|"permanent"}; otherwise 401 FAIL "token invalid".
- fuser needs integer X-User-Id and X-User-Type headers, else 403 NO_PERMISSIONS. Create: 200 SUCCESS; wrong
  credentials 400 INVALID_PARAMETERS; one already exists 400 RESOURCE_ALREADY_EXIST. GET without email:
  400 INVALID_PARAMETERS. DELETE of an unknown LCUUID: 400 RESOURCE_NOT_FOUND.
- Unknown path or method: 404 RESOURCE_NOT_FOUND; handler crash: 500 SERVER_ERROR; status faults use the envelope
  status matching the HTTP code (503 SERVICE_UNAVAILABLE by default).

Control endpoints (on both ports, besides _base's): POST /_sim/expire_tokens {"refresh": bool} (every access token, and
refresh tokens too when asked, becomes invalid); POST /_sim/users {"email", "password"} (add or patch);
GET /_sim/state.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import sys
import uuid

try:
    from . import _base
except ImportError:
    import _base

DEFAULT_USERS = [
    {'email': 'admin@deepflow.local', 'password': 'Df-Admin-Pass-1'},
    {'email': 'dev@yunshan.net.cn', 'password': 'dev-pwd'},
    {'email': 'ops@example.com', 'password': 'Ops-Pass-1'},
]
STATUS_BY_CODE = {400: 'INVALID_PARAMETERS', 401: 'FAIL', 403: 'NO_PERMISSIONS', 404: 'RESOURCE_NOT_FOUND', 500: 'SERVER_ERROR'}


def envelope(status, opt, description='', data=None, headers=None):
    return status, dict(headers or {}), {'OPT_STATUS': opt, 'DESCRIPTION': description, 'DATA': data}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def jwt_encode(claims, secret):
    signing = b64url(b'{"typ":"JWT","alg":"HS256"}') + '.' + b64url(json.dumps(claims, separators=(',', ':')).encode())
    return signing + '.' + b64url(hmac.new(secret, signing.encode(), hashlib.sha256).digest())


def jwt_decode(token, secret):
    """Verified claims of an HS256 JWT, or None."""
    parts = str(token).split('.')
    if len(parts) != 3:
        return None
    expected = b64url(hmac.new(secret, (parts[0] + '.' + parts[1]).encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, parts[2]):
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + '=' * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) and claims.get('exp', 0) > _base.now() else None


class DeepFlowSim(_base.SimApp):
    """Simulated DeepFlow fauths (short-lived tokens) and fuser (permanent tokens) services."""

    name = 'deepflow'
    listeners = {'fauths': ('port', 'port_file'), 'fuser': ('fuser_port', 'fuser_port_file')}

    @classmethod
    def add_arguments(cls, parser):
        parser.add_argument('--fuser-port', type=int, default=0, help='port of the fuser listener (0 = pick a free port)')
        parser.add_argument('--fuser-port-file', help='write the bound fuser port here once listening')
        parser.add_argument('--fuser-prefix', default='/v1/user/permanent_token', help='path of the permanent token API')
        parser.add_argument('--users', help='JSON file: list of {"email", "password"} replacing the built-in users')
        parser.add_argument('--access-ttl', type=int, default=3600, help='access token lifetime in seconds')
        parser.add_argument('--refresh-ttl', type=int, default=30 * 86400, help='refresh token lifetime in seconds')
        parser.add_argument('--max-failures', type=int, default=5, help='failed logins before the account is locked')
        parser.add_argument('--lock-time', type=float, default=1800, help='seconds a locked account stays locked')
        parser.add_argument('--jwt-secret', default=None, help='HS256 secret (random by default)')

    def __init__(self, args):
        self.secret = (args.jwt_secret or secrets.token_hex(32)).encode()
        self.seed_users = DEFAULT_USERS
        if args.users:
            with open(args.users) as stream:
                self.seed_users = json.load(stream)
        super().__init__(args)
        for prefix in ('', '/api/fauths'):
            self.route('POST', prefix + '/login', self.login, listener='fauths')
            self.route('POST', prefix + '/refresh_token', self.refresh, listener='fauths')
            self.route('POST', prefix + '/logout', self.logout, listener='fauths')
            self.route('GET', prefix + '/user', self.whoami, listener='fauths')
        prefix = re.escape('/' + args.fuser_prefix.strip('/'))
        self.route('POST', prefix, self.permanent_create, listener='fuser', identity=True)
        self.route('GET', prefix, self.permanent_find, listener='fuser', identity=True)
        self.route('DELETE', prefix + r'/(?P<lcuuid>[^/]+)', self.permanent_delete, listener='fuser', identity=True)
        self.control('POST', r'/_sim/expire_tokens', self.ctl_expire_tokens)
        self.control('POST', r'/_sim/users', self.ctl_users)
        self.control('GET', r'/_sim/state', self.ctl_state)

    def reset_state(self):
        self.users = {u['email']: dict(u, id=n) for n, u in enumerate(self.seed_users, start=1)}
        self.failures = {}  # email -> {"count", "last"}
        self.access = {}  # jti -> {"email", "exp", "refresh": jti, "revoked"}
        self.refresh_tokens = {}  # jti -> {"email", "exp", "access": jti, "revoked"}
        self.permanent = {}  # lcuuid -> {"email", "key", "created"}
        self.refresh_reuse = 0  # rotated refresh tokens presented again

    # ---- plumbing -------------------------------------------------------------------------
    def annotate(self, req):
        req.log_extra['service'] = req.listener

    def error_response(self, status, message, retry_after=None):
        return envelope(status, STATUS_BY_CODE.get(status, 'SERVICE_UNAVAILABLE'), message)

    def not_found(self, req):
        return envelope(404, 'RESOURCE_NOT_FOUND', '404 page not found')

    def method_not_allowed(self, req):
        return self.not_found(req)

    def server_error(self, req):
        return envelope(500, 'SERVER_ERROR', 'internal server error')

    def call(self, req, func, opts):
        if opts.get('identity') and not all(str(req.headers.get(h, '')).strip().isdigit() for h in ('x-user-id', 'x-user-type')):
            return envelope(403, 'NO_PERMISSIONS', 'X-User-Id and X-User-Type headers are required')
        req.json = None
        if req.method in ('POST', 'PUT', 'PATCH'):
            try:
                req.json = req.json_any()
            except ValueError as exc:
                return envelope(400, 'INVALID_POST_DATA', 'invalid JSON body: %s' % exc)
            if req.json is not None and not isinstance(req.json, dict):
                return envelope(400, 'INVALID_POST_DATA', 'the body must be a JSON object')
            req.json = req.json or {}
        return func(req)

    def bearer(self, req):
        keyword, dummy, token = req.headers.get('authorization', '').strip().partition(' ')
        return token.strip() if keyword.lower() == 'bearer' else ''

    def access_claims(self, token):
        claims = jwt_decode(token, self.secret)
        record = self.access.get((claims or {}).get('jti'))
        if not claims or claims.get('type') != 'access' or not record or record['revoked'] or record['email'] not in self.users:
            return None
        return claims

    def issue(self, email):
        stamp = int(_base.now())
        access_jti, refresh_jti = uuid.uuid4().hex, uuid.uuid4().hex
        user_id = self.users[email]['id']
        access = jwt_encode({'exp': stamp + self.args.access_ttl, 'iat': stamp, 'email': email, 'jti': access_jti, 'type': 'access',
                             'user_id': user_id}, self.secret)
        refresh = jwt_encode({'exp': stamp + self.args.refresh_ttl, 'iat': stamp, 'email': email, 'jti': refresh_jti, 'type': 'refresh',
                              'user_id': user_id}, self.secret)
        self.access[access_jti] = {'email': email, 'exp': stamp + self.args.access_ttl, 'refresh': refresh_jti, 'revoked': False}
        self.refresh_tokens[refresh_jti] = {'email': email, 'exp': stamp + self.args.refresh_ttl, 'access': access_jti, 'revoked': False}
        self.remember(access, refresh)
        return {'access_token': access, 'refresh_token': refresh, 'expires_in': self.args.access_ttl}

    @staticmethod
    def missing_credentials(data):
        if all(isinstance(data.get(field), str) and data[field] for field in ('email', 'password')):
            return None
        return envelope(400, 'INVALID_PARAMETERS', 'email and password are required')

    def verify_password(self, data):
        user = self.users.get(data['email'])
        return user if user and hmac.compare_digest(str(user['password']).encode(), data['password'].encode()) else None

    # ---- fauths ---------------------------------------------------------------------------
    def login(self, req):
        data = req.json
        if data.get('grant_type') != 'password' or data.get('account_type', 'deepflow') != 'deepflow':
            return envelope(400, 'INVALID_PARAMETERS', 'grant_type must be "password" and account_type "deepflow"')
        error = self.missing_credentials(data)
        if error:
            return error
        email = data['email']
        record = self.failures.get(email)
        if record and _base.now() - record['last'] > self.args.lock_time:
            del self.failures[email]
            record = None
        if record and record['count'] >= self.args.max_failures:
            return envelope(403, 'NO_PERMISSIONS', 'account locked')
        user = self.verify_password(data)
        if not user:
            record = self.failures.setdefault(email, {'count': 0, 'last': 0})
            record['count'] += 1
            record['last'] = _base.now()
            return envelope(400, 'INVALID_PARAMETERS', 'email or password error')
        self.failures.pop(email, None)
        return envelope(200, 'SUCCESS', '', dict(self.issue(user['email']), token_type='password', email=user['email'], license=True))

    def refresh(self, req):
        data = req.json
        if data.get('grant_type') != 'refresh_token' or not data.get('refresh_token'):
            return envelope(400, 'INVALID_PARAMETERS', 'grant_type must be "refresh_token" and refresh_token is required')
        claims = jwt_decode(data['refresh_token'], self.secret) or {}
        record = self.refresh_tokens.get(claims.get('jti'))
        if record and record['revoked'] == 'rotated':
            self.revoke_descendants(record)
            return envelope(400, 'INVALID_PARAMETERS', 'refresh_token invalid or expired')
        if claims.get('type') != 'refresh' or not record or record['revoked'] or record['email'] not in self.users:
            return envelope(400, 'INVALID_PARAMETERS', 'refresh_token invalid or expired')
        record['revoked'] = 'rotated'
        issued = self.issue(record['email'])
        record['child'] = jwt_decode(issued['refresh_token'], self.secret)['jti']
        return envelope(200, 'SUCCESS', '', dict(issued, token_type='refresh_token'))

    def revoke_descendants(self, record):
        """Refresh token reuse: revoke every refresh token rotated out of ``record`` and the access tokens issued with them."""
        self.refresh_reuse += 1
        child = self.refresh_tokens.get(record.get('child'))
        while child is not None:
            if not child['revoked']:
                child['revoked'] = 'reuse'
            if child['access'] in self.access and not self.access[child['access']]['revoked']:
                self.access[child['access']]['revoked'] = 'reuse'
            child = self.refresh_tokens.get(child.get('child'))

    def logout(self, req):
        claims = self.access_claims(self.bearer(req))
        if not claims:
            return envelope(400, 'INVALID_PARAMETERS', 'token invalid')
        record = self.access[claims['jti']]
        record['revoked'] = 'logout'
        if record['refresh'] in self.refresh_tokens:
            self.refresh_tokens[record['refresh']]['revoked'] = 'logout'
        return envelope(200, 'SUCCESS', '', None)

    def whoami(self, req):
        token = self.bearer(req)
        claims = self.access_claims(token)
        if claims:
            return envelope(200, 'SUCCESS', '', {'email': claims['email'], 'token_type': 'access'})
        item = next((p for p in self.permanent.values() if token and hmac.compare_digest(p['key'], token)), None)
        if item and item['email'] in self.users:
            return envelope(200, 'SUCCESS', '', {'email': item['email'], 'token_type': 'permanent'})
        return envelope(401, 'FAIL', 'token invalid')

    # ---- fuser ----------------------------------------------------------------------------
    def permanent_create(self, req):
        error = self.missing_credentials(req.json)
        if error:
            return error
        user = self.verify_password(req.json)
        if not user:
            return envelope(400, 'INVALID_PARAMETERS', 'email or password error')
        if any(p['email'] == user['email'] for p in self.permanent.values()):
            return envelope(400, 'RESOURCE_ALREADY_EXIST', 'permanent token of %s already exists' % user['email'])
        item = {'email': user['email'], 'key': self.remember('gAAAAA' + secrets.token_urlsafe(96)), 'lcuuid': str(uuid.uuid4()), 'created': _base.now()}
        self.permanent[item['lcuuid']] = item
        return envelope(200, 'SUCCESS', '', {'ACCESS_KEY': item['key'], 'LCUUID': item['lcuuid']})

    def permanent_find(self, req):
        email = req.q('email')
        if not email:
            return envelope(400, 'INVALID_PARAMETERS', 'email is required')
        return envelope(200, 'SUCCESS', '', [{'LCUUID': p['lcuuid']} for p in self.permanent.values() if p['email'] == email])

    def permanent_delete(self, req):
        if self.permanent.pop(req.params['lcuuid'], None) is None:
            return envelope(400, 'RESOURCE_NOT_FOUND', 'permanent token %s not found' % req.params['lcuuid'])
        return envelope(200, 'SUCCESS', 'SUCCESS', True)

    # ---- control API ----------------------------------------------------------------------
    def ctl_expire_tokens(self, req):
        body = req.data if isinstance(req.data, dict) else {}
        tables = [self.access] + ([self.refresh_tokens] if body.get('refresh') else [])
        count = 0
        for table in tables:
            for record in table.values():
                if not record['revoked']:
                    record['revoked'] = 'expired'
                    count += 1
        return 200, {}, {'ok': True, 'expired': count}

    def ctl_users(self, req):
        data = req.data if isinstance(req.data, dict) else {}
        if not data.get('email'):
            return 400, {}, {'error': 'email is required'}
        existing = self.users.get(data['email'])
        if existing:
            existing.update(data)
        else:
            self.users[data['email']] = dict(data, id=max([u['id'] for u in self.users.values()] + [0]) + 1)
        if data.get('reset_failures'):
            self.failures.pop(data['email'], None)
        return 200, {}, {'created': existing is None, 'user': {'email': data['email'], 'id': self.users[data['email']]['id']}}

    def ctl_state(self, req):
        stamp = _base.now()

        def live(table):
            return sum(1 for r in table.values() if not r['revoked'] and r['exp'] > stamp)
        failures = {email: dict(rec, locked=rec['count'] >= self.args.max_failures) for email, rec in self.failures.items()}
        return 200, {}, {'users': sorted(self.users), 'failures': failures, 'access_tokens': live(self.access),
                         'refresh_tokens': live(self.refresh_tokens), 'access_tokens_issued': len(self.access),
                         'refresh_reuse': self.refresh_reuse,
                         'permanent_tokens': [{'email': p['email'], 'lcuuid': p['lcuuid']} for p in self.permanent.values()],
                         'fuser_prefix': '/' + self.args.fuser_prefix.strip('/')}


if __name__ == '__main__':
    sys.exit(_base.main(DeepFlowSim))
