# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""JumpServer authentication API simulator (test-only), after /work/shared/api-notes/jumpserver.md.

Run: python tests/simulators/jumpserver.py --port 0 --port-file F [--host 127.0.0.1] [--tls --cert-dir D] [--log-file F]
     [--users FILE] [--token-ttl 86400] [--confirm-after 2] [--anon-rate 60] [--user-rate 180] [--rate-window 60]
     [--login-limit 7] [--block-time 1800] [--bulk-users 2500] [--csrf-trusted-origin URL ...]
     [--jumpserver-version 4|3]

Built-in users (``--users FILE``, a JSON list of user objects, replaces them): admin/Adm1n-Pass! (superuser),
alice/Alice-Pass-1, mfa/Mfa-Pass-1 (TOTP secret JBSWY3DPEHPK3PXP), mfa-email/Mfa-Email-1 (MFA by e-mail code),
mfa-unset/Mfa-Unset-1 (forced MFA, nothing set up: choices []), confirm/Confirm-Pass-1 (login confirm, approved),
confirm-reject/Confirm-Reject-1 (login confirm, rejected), inactive/Inactive-Pass-1, expired/ChangeMe (500),
ops-viewer/Ops-Viewer-1 (only in org Ops), plus user0001..user2500 (password User-Pass-1) in the Default org.
User fields: username, password, name, email, id, is_active, is_superuser, is_expired, totp_secret, mfa_choices,
login_confirm, confirm_reject, orgs (list of org ids).

Choices made where the notes are silent:
- Client IP = first X-Forwarded-For entry, else the peer address (same user + same IP -> same bearer token).
- Inactive/expired users count as login failures (like JumpServer's CredentialError); the 7th failure answers block_login.
- ``mfa/challenge/`` without a pending login in the session: 400 {"error": "session_empty", "msg": "Session is empty"}.
  An MFA type the user does not have, or a wrong code: 401 mfa_failed. ``mfa/send-code/`` stores the e-mail/SMS code,
  readable from GET /_sim/state ("mfa_codes").
- GET /api/v1/authentication/login-confirm-ticket/status/ (session cookie) answers 200 with
  {"status": "open", "error": "login_confirm_wait", "msg", "data": {"ticket_id", "ticket_detail_url"}} while waiting,
  {"status": "approved", "msg": "ok", "ticket_id"} once approved, {"status": "rejected", "error": "login_confirm_error", "msg"}
  when rejected and {"status": "none", "error": "login_confirm_error", "msg": "No ticket found"} without a ticket.
- Signature auth copies the older common/auth/signature.py the notes describe: headers are rebuilt from Django's META,
  so Content-Type/Content-Length are seen as "nt-type"/"nt-length" (signing them fails); a keyId that is not a UUID and
  any exception inside httpsig (date not signed, a signed header missing, bad base64) answer 500 "Server Error (500)" HTML.
- Reads (profile, users, orgs) are open to every authenticated user; creating/deleting users needs a superuser (403).
- GET /api/v1/users/profile/ adds UserProfileSerializer's ``console_orgs``, ``audit_orgs`` and ``workbench_orgs`` (items
  ``{id, name, is_default, is_root}``, v3.10 and v4): a superuser sees GLOBAL, Default and Ops in the console and audit
  views (the real server asks RBAC: rbac.view_console, rbac.view_audit), every user the orgs it belongs to in the
  workbench view. SYSTEM is listed in none. Every answer carries a ``Date`` header (http.server's, the real clock).
- Unknown /api paths answer Django's HTML 404; a path missing its trailing slash is redirected (301) like APPEND_SLASH.
- Throttling follows DRF's SimpleRateThrottle: anonymous endpoints (login, MFA, confirm status) count per client IP,
  authenticated endpoints per user (only once authentication succeeded); /api/health/ and /_sim/* never count.

JumpServer v3.10 (``--jumpserver-version 3``, after the api-notes' v3.10 section): no throttling at all (no 429, no
Retry-After), ``msg``/``detail`` in Chinese unless the request sends ``Accept-Language: en``, and an unknown or expired
bearer token answers 401 {"detail": "Invalid token or cache refreshed.", "code": "authentication_failed"}. The fake
manage.py of tests/harness/fakes asks GET /_sim/version and prints v3.10's 18 ``ALLOWED_HOSTS: ...`` lines on stdout.
Both versions answer ``Accept-Language: zh...`` in Chinese and ``en...`` in English (Django's LocaleMiddleware); the
Chinese texts are JumpServer's and DRF's zh-hans translations where known. A message without a translation stays
English (a simulator choice).

Access keys (both versions, after apps/authentication/api/access_key.py and confirm.py): the create ignores its body
(``user.create_access_key()``: is_active true, ip_group ["*"]; set them with PATCH), needs a fresh confirmation of
level "password" or higher in the session (300 s), answers 412 user_confirm_required otherwise, and 400
["Access keys can be created at most 10"] at the limit. The confirmation (POST /api/v1/authentication/confirm/) is
checked by the first backend that applies to the user, MFA before password (ConfirmType.get_prop_backends): a user with
an OTP device confirms with ``mfa_type: otp`` and the current code as ``secret_key``, whatever ``confirm_type`` says;
GET /api/v1/authentication/confirm/?confirm_type=password names that backend: {"confirm_type", "content"}.

Simulator control endpoints (besides _base's): GET /_sim/version -> {"version": 3|4}; POST /_sim/sessions {"username"} -> {"session_id", "csrf_token"};
POST /_sim/expire_tokens (drop every bearer token, what a restart of JumpServer's Redis does; with {"at": [n, ...]}
instead, drop them just before the n-th bearer request from now, counting from 1, for a restart in the middle of a
task); POST /_sim/users {"username", ...} (add or patch);
POST /_sim/age_access_keys {"username", "seconds"} (make every key of the user that much older: date_created moves
back, for rotation by age) -> {"aged": [ids]};
GET /_sim/state; GET|POST /_sim/private_tokens/<username> {"action": "get_or_create"|"refresh"|"delete"}.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import ipaddress
import json
import math
import secrets
import struct
import sys
import uuid
from urllib.parse import urlencode, urlsplit

from httpsig.utils import parse_authorization_header
from httpsig.verify import HeaderVerifier

try:
    from . import _base
except ImportError:
    import _base

ROOT_ORG, DEFAULT_ORG, SYSTEM_ORG = ('00000000-0000-0000-0000-00000000000%d' % n for n in (0, 2, 4))
OPS_ORG = '11111111-1111-1111-1111-111111111111'
ORGS = [
    {'id': DEFAULT_ORG, 'name': 'Default', 'is_default': True, 'is_root': False, 'is_system': False},
    {'id': ROOT_ORG, 'name': 'GLOBAL', 'is_default': False, 'is_root': True, 'is_system': False},
    {'id': SYSTEM_ORG, 'name': 'SYSTEM', 'is_default': False, 'is_root': False, 'is_system': True},
    {'id': OPS_ORG, 'name': 'Ops', 'is_default': False, 'is_root': False, 'is_system': False},
]
ORG_ALIASES = {'default': DEFAULT_ORG, 'root': ROOT_ORG, 'global': ROOT_ORG, 'system': SYSTEM_ORG}
USER_NS = uuid.UUID('5f0c2b0e-7d57-4d43-9a43-0b6f1b2f9d10')
SEED_KEY_ID, SEED_KEY_SECRET = '8f1a1c2e-0000-4000-8000-000000000001', '0b1f9a7e-5c1d-4e0f-9a2b-3c4d5e6f7a8b'
SEED_PRIVATE_TOKEN = '937b38011acf499eb474e2fecb424ab3937b3801'
DEFAULT_USERS = [
    {'username': 'admin', 'password': 'Adm1n-Pass!', 'name': 'Administrator', 'is_superuser': True, 'orgs': [DEFAULT_ORG, OPS_ORG]},
    {'username': 'alice', 'password': 'Alice-Pass-1', 'name': 'Alice', 'orgs': [DEFAULT_ORG, OPS_ORG]},
    {'username': 'mfa', 'password': 'Mfa-Pass-1', 'name': 'MFA user', 'totp_secret': 'JBSWY3DPEHPK3PXP'},
    {'username': 'mfa-email', 'password': 'Mfa-Email-1', 'name': 'MFA e-mail user', 'mfa_choices': ['email']},
    {'username': 'mfa-unset', 'password': 'Mfa-Unset-1', 'name': 'MFA not set up', 'mfa_choices': []},
    {'username': 'confirm', 'password': 'Confirm-Pass-1', 'name': 'Login confirm user', 'login_confirm': True},
    {'username': 'confirm-reject', 'password': 'Confirm-Reject-1', 'name': 'Rejected login', 'login_confirm': True, 'confirm_reject': True},
    {'username': 'inactive', 'password': 'Inactive-Pass-1', 'name': 'Inactive user', 'is_active': False},
    {'username': 'expired', 'password': 'ChangeMe', 'name': 'Expired password'},
    {'username': 'ops-viewer', 'password': 'Ops-Viewer-1', 'name': 'Ops viewer', 'orgs': [OPS_ORG]},
]
SERVER_TZ = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai (no DST)
DATE_FORMAT = '%Y/%m/%d %H:%M:%S %z'
MFA_URL = '/api/v1/authentication/mfa/challenge/'
HTML_500 = ('<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n'
            '  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n')
HTML_404 = ('<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1>'
            '<p>The requested resource was not found on this server.</p>\n</body>\n</html>\n')
NOT_AUTHENTICATED = {'detail': 'Authentication credentials were not provided.', 'code': 'not_authenticated'}
NOT_FOUND = {'detail': 'Not found.', 'code': 'not_found'}
PASSWORD_FAILED_MSG = ('The username or password you entered is incorrect, please enter it again. '
                       'You can also try {n} times (The account will be temporarily locked for 30 minutes)')
BLOCK_MSG = 'The account has been locked (please contact admin to unlock it or try again after 30 minutes)'
MFA_CONFIRM_WINDOW = 600
CONFIRM_VALID = 300
MAX_ACCESS_KEYS = 10
CONFIRM_LEVELS = ('relogin', 'password', 'mfa')  # authentication.const.ConfirmType: a confirmation's level is index + 1
V3_INVALID_BEARER = 'Invalid token or cache refreshed.'
# zh-hans texts of the messages this simulator sends (JumpServer's and DRF's translations where known).
ZH_MESSAGES = {
    'Authentication credentials were not provided.': '身份认证信息未提供。',
    'Invalid token.': '认证令牌无效。',
    V3_INVALID_BEARER: '令牌无效或缓存已刷新。',
    'Invalid signature.': '签名无效。',
    'Ip is not in access ip list.': 'IP 不在允许访问的 IP 列表中。',
    'User inactive or deleted.': '用户未激活或已删除。',
    'Not found.': '未找到。',
    'You do not have permission to perform this action.': '您没有执行该操作的权限。',
    'MFA required': '需要 MFA 认证',
    'MFA code invalid, or ntp sync server time': 'MFA 验证码不正确，或者服务器端时间不对',
    'This account is inactive.': '此账号已禁用',
    'This account is expired': '此账号已过期',
    BLOCK_MSG: '账号已被锁定 (请联系管理员解锁或 30 分钟后重试)',
    'This action require confirm current user': '此操作需要确认当前用户',
    'Access keys can be created at most 10': '最多可以创建 10 个访问密钥',
    'Authentication failed password incorrect': '认证失败，密码错误',
    'Wait for the administrator to confirm this login': '等待管理员确认登录',
    'Login confirm rejected': '登录复核被拒绝',
}
ZH_PASSWORD_FAILED = '您输入的用户名或密码不正确，请重新输入。 您还可以尝试 {n} 次（账号将被临时 锁定 30 分钟）'


def totp(secret, at, step=30, digits=6):
    """RFC 6238 TOTP (HMAC-SHA1)."""
    key = base64.b32decode(secret.upper() + '=' * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack('>Q', int(at // step)), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return '%0*d' % (digits, (struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits)


def auth_failed(detail):
    return 401, {'WWW-Authenticate': 'Bearer realm="api"'}, {'detail': detail, 'code': 'authentication_failed'}


def html_500():
    return 500, {'Content-Type': 'text/html; charset=utf-8'}, HTML_500


def is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def ip_allowed(ip, ip_group):
    for item in ip_group or ['*']:
        if item == '*':
            return True
        try:
            if ipaddress.ip_address(ip) in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            if ip == item:
                return True
    return False


class JumpServerSim(_base.SimApp):
    """Simulated JumpServer authentication API."""

    name = 'jumpserver'

    @classmethod
    def add_arguments(cls, parser):
        parser.add_argument('--users', help='JSON file: list of user objects replacing the built-in users')
        parser.add_argument('--token-ttl', type=float, default=86400, help='bearer token lifetime in seconds')
        parser.add_argument('--confirm-after', type=float, default=2, help='seconds before a login-confirm ticket is decided')
        parser.add_argument('--anon-rate', type=int, default=60, help='anonymous requests per window and client IP (0 = off)')
        parser.add_argument('--user-rate', type=int, default=180, help='authenticated requests per window and user (0 = off)')
        parser.add_argument('--rate-window', type=float, default=60, help='throttle window in seconds')
        parser.add_argument('--login-limit', type=int, default=7, help='password failures before block_login')
        parser.add_argument('--block-time', type=float, default=1800, help='seconds a login block lasts')
        parser.add_argument('--bulk-users', type=int, default=2500, help='number of userNNNN users seeded in the Default org')
        parser.add_argument('--csrf-trusted-origin', action='append', default=[], help='extra trusted Origin for session auth')
        parser.add_argument('--jumpserver-version', type=int, choices=(3, 4), default=4,
                            help='4: v4.10 (default); 3: v3.10 LTS (no throttling, Chinese messages, v3 bearer 401)')

    def __init__(self, args):
        self.seed_users = DEFAULT_USERS
        if args.users:
            with open(args.users) as stream:
                self.seed_users = json.load(stream)
        if args.jumpserver_version == 3:
            args.anon_rate = args.user_rate = 0  # v3.10 has no rate limiting at all
        super().__init__(args)
        api = '/api/v1'
        uid = r'(?P<id>[^/]+)'
        anon = {'anon': True}
        for path in ('auth', 'tokens'):
            self.route('POST', r'%s/authentication/%s/' % (api, path), self.login, **anon)
        self.route('POST', api + r'/authentication/mfa/challenge/', self.mfa_challenge, **anon)
        self.route('POST', api + r'/authentication/mfa/send-code/', self.mfa_send_code, **anon)
        self.route('GET', api + r'/authentication/login-confirm-ticket/status/', self.confirm_status, **anon)
        self.route('GET', r'/api/health/', self.health, anon=True, throttle=False)
        self.route('GET', api + r'/users/profile/', lambda req: (200, {}, self.own_profile(req.user, req)))
        self.route('GET', api + r'/users/users/', self.users_list)
        self.route('POST', api + r'/users/users/', self.users_create, superuser=True)
        self.route('GET', api + r'/users/users/%s/' % uid, self.users_get)
        self.route('DELETE', api + r'/users/users/%s/' % uid, self.users_delete, superuser=True)
        self.route('GET', api + r'/orgs/orgs/', self.orgs_list)
        self.route('GET', api + r'/orgs/orgs/%s/' % uid, self.orgs_get)
        self.route('GET', api + r'/authentication/access-keys/', self.keys_list)
        self.route('POST', api + r'/authentication/access-keys/', self.keys_create)
        for method in ('GET', 'PATCH', 'PUT', 'DELETE'):
            self.route(method, api + r'/authentication/access-keys/%s/' % uid, self.keys_item)
        self.route('GET', api + r'/authentication/confirm/', self.confirm_backends)
        self.route('POST', api + r'/authentication/confirm/', self.confirm)
        self.control('GET', r'/_sim/version', lambda req: (200, {}, {'version': self.args.jumpserver_version}))
        self.control('POST', r'/_sim/sessions', self.ctl_session)
        self.control('POST', r'/_sim/expire_tokens', self.ctl_expire_tokens)
        self.control('POST', r'/_sim/users', self.ctl_users)
        self.control('POST', r'/_sim/age_access_keys', self.ctl_age_access_keys)
        self.control('GET', r'/_sim/state', self.ctl_state)
        self.control('GET', r'/_sim/private_tokens/(?P<username>[^/]+)', self.ctl_private_token)
        self.control('POST', r'/_sim/private_tokens/(?P<username>[^/]+)', self.ctl_private_token)

    # ---- state ----------------------------------------------------------------------------
    def reset_state(self):
        self.users = {}
        for entry in self.seed_users:
            self.put_user(dict(entry))
        for num in range(1, self.args.bulk_users + 1):
            self.put_user({'username': 'user%04d' % num, 'password': 'User-Pass-1', 'name': 'User %04d' % num})
        self.failures = {}  # username -> {"count", "last"}
        self.tokens = {}  # token -> {"user", "ip", "expires"}
        self.sessions = {}  # session id -> dict
        self.history = {}  # throttle key -> [timestamps, newest first]
        self.mfa_codes = {}
        self.bearer_requests, self.redis_restarts = 0, []
        self.remember(SEED_PRIVATE_TOKEN, SEED_KEY_SECRET)
        self.private_tokens = {'admin': {'key': SEED_PRIVATE_TOKEN, 'created': _base.now(), 'date_last_used': None}}
        self.access_keys = {SEED_KEY_ID: {'id': SEED_KEY_ID, 'secret': SEED_KEY_SECRET, 'user': 'admin', 'is_active': True,
                                          'ip_group': ['*'], 'date_created': _base.now(), 'date_last_used': None}}

    def put_user(self, entry, existing=None):
        """Add a user or patch ``existing``; returns the stored record."""
        if existing is not None:
            existing.update(entry)
            entry = existing
        username = entry['username']
        entry.setdefault('id', str(uuid.uuid5(USER_NS, username)))
        entry.setdefault('name', username)
        entry.setdefault('email', '%s@example.com' % username)
        entry.setdefault('password', None)
        for flag in ('is_superuser', 'is_expired', 'login_confirm', 'confirm_reject'):
            entry.setdefault(flag, False)
        entry.setdefault('is_active', True)
        entry.setdefault('orgs', [DEFAULT_ORG])
        entry.setdefault('totp_secret', None)
        entry.setdefault('mfa_choices', ['otp'] if entry['totp_secret'] else None)
        entry.setdefault('date_joined', _base.now())
        self.users[username] = entry
        return entry

    def user_by_id(self, user_id):
        return next((u for u in self.users.values() if u['id'] == user_id), None)

    # ---- formatting -----------------------------------------------------------------------
    @staticmethod
    def fmt_date(req, stamp):
        if stamp is None:
            return None
        zone = datetime.timezone.utc if (req is not None and req.headers.get('x-tz', '').upper() == 'UTC') else SERVER_TZ
        return datetime.datetime.fromtimestamp(stamp, zone).strftime(DATE_FORMAT)

    def profile(self, user, req=None):
        admin = user['is_superuser']
        mfa = user['mfa_choices']
        return {
            'id': user['id'], 'username': user['username'], 'name': user['name'], 'email': user['email'],
            'is_active': user['is_active'], 'is_superuser': admin, 'is_expired': user['is_expired'],
            'is_valid': user['is_active'] and not user['is_expired'], 'source': {'value': 'local', 'label': 'Local'},
            'mfa_enabled': mfa is not None, 'mfa_level': {'value': 2 if mfa is not None else 0, 'label': 'Force enable' if mfa is not None else 'Disable'},
            'system_roles': [{'id': '00000000-0000-0000-0000-00000000000%d' % (1 if admin else 3), 'name': 'SystemAdmin' if admin else 'User',
                              'display_name': 'System admin' if admin else 'User'}],
            'org_roles': [{'name': 'OrgAdmin' if admin else 'OrgUser'}], 'phone': None, 'comment': '',
            'date_joined': self.fmt_date(req, user['date_joined']), 'date_expired': '2099/12/31 00:00:00 +0800',
        }

    def own_profile(self, user, req):
        """UserProfileSerializer: the profile plus the orgs the user sees in each view (UserOrgSerializer items)."""
        def orgs(ids):
            return [{key: org[key] for key in ('id', 'name', 'is_default', 'is_root')} for org in ORGS if org['id'] in ids]
        admin_view = [ROOT_ORG, DEFAULT_ORG, OPS_ORG] if user['is_superuser'] else []
        return dict(self.profile(user, req), console_orgs=orgs(admin_view), audit_orgs=orgs(admin_view),
                    workbench_orgs=orgs(user['orgs']))

    def org(self, org):
        return dict(org, comment='', created_by='System', date_created='2023/01/01 00:00:00 +0800')

    def key_view(self, key, req, with_secret=False):
        data = {'id': key['id'], 'is_active': key['is_active'], 'ip_group': key['ip_group'],
                'date_created': self.fmt_date(req, key['date_created']), 'date_last_used': self.fmt_date(req, key['date_last_used'])}
        if with_secret:
            data['secret'] = key['secret']
        return data

    def paginate(self, req, items):
        """DRF LimitOffsetPagination: plain list (capped at 200) without a valid limit."""
        limit = _base.to_int(req.q('limit'))
        if limit is None or limit <= 0:
            return items[:200]
        limit = min(limit, 1000)
        offset = max(_base.to_int(req.q('offset'), 0), 0)
        count = len(items)

        def link(new_offset):
            query = dict(req.query, limit=[str(limit)])
            if new_offset:
                query['offset'] = [str(new_offset)]
            else:
                query.pop('offset', None)
            return req.absolute(req.path) + '?' + urlencode(sorted(query.items()), doseq=True)
        return {'count': count, 'next': link(offset + limit) if offset + limit < count else None,
                'previous': None if offset <= 0 else link(max(offset - limit, 0)), 'results': items[offset:offset + limit]}

    # ---- request plumbing -----------------------------------------------------------------
    def client_ip(self, req):
        forwarded = req.headers.get('x-forwarded-for', '').split(',')[0].strip()
        return forwarded or req.peer

    def resolve_org(self, req):
        # orgs.utils.get_org_from_request: the words default/root (and system) in any case, else an exact id or name
        # (Organization.construct_orgs_mapping); anything else is silently the Default org.
        raw = (req.headers.get('x-jms-org') or req.cookies.get('X-JMS-ORG') or '').strip()
        org = (ORG_ALIASES.get(raw.lower()) if raw.lower() in ('default', 'root', 'system')
               else next((o['id'] for o in ORGS if raw in (o['id'], o['name'])), DEFAULT_ORG))
        return org if org == OPS_ORG else DEFAULT_ORG

    def annotate(self, req):
        req.log_extra['org'] = self.resolve_org(req)

    def error_response(self, status, message, retry_after=None):
        if status == 429 and retry_after is not None:
            message = 'Request was throttled. Expected available in %s seconds.' % retry_after
        return status, {}, {'detail': message}

    def not_found(self, req):
        if not req.path.endswith('/') and self.find(self.routes, req, req.path + '/') not in (None, _base.METHOD_NOT_ALLOWED):
            location = req.path + '/' + ('?' + req.query_string if req.query_string else '')
            return 301, {'Location': location}, None
        return 404, {'Content-Type': 'text/html; charset=utf-8'}, HTML_404

    def method_not_allowed(self, req):
        return 405, {}, {'detail': 'Method "%s" not allowed.' % req.method, 'code': 'method_not_allowed'}

    def dispatch(self, req):
        return self.localize(req, super().dispatch(req))

    def language(self, req):
        """'zh' or 'en': the first Accept-Language entry this server knows, else the version's default."""
        for item in req.headers.get('accept-language', '').split(','):
            tag = item.split(';')[0].strip().lower()
            if tag.startswith(('en', 'zh')):
                return tag[:2]
        return 'zh' if self.args.jumpserver_version == 3 else 'en'

    def localize(self, req, response):
        """Translate msg/detail (and a list of messages) to Chinese when the request's language is zh."""
        status, headers, body = response
        if self.language(req) != 'zh':
            return response

        def zh(text):
            if not isinstance(text, str):
                return text
            if text.startswith(PASSWORD_FAILED_MSG[:40]):
                return ZH_PASSWORD_FAILED.format(n=text.split('try ')[1].split(' ')[0])
            return ZH_MESSAGES.get(text, text)
        if isinstance(body, dict):
            # "error" is a code in login answers (password_failed) and a sentence in others (confirm): only sentences.
            body = dict((key, zh(value) if key in ('msg', 'detail') or (key == 'error' and ' ' in str(value)) else value)
                        for key, value in body.items())
        elif isinstance(body, list):
            body = [zh(item) for item in body]
        return status, headers, body

    def server_error(self, req):
        return html_500()

    def call(self, req, func, opts):
        req.client = self.client_ip(req)
        req.user = None
        if opts.get('anon'):
            if opts.get('throttle', True):
                throttled = self.throttle('anon:' + req.client, self.args.anon_rate)
                if throttled:
                    return throttled
            return self.parse_error(req) or func(req)
        user, error = self.authenticate(req)
        if error:
            return error
        if user is None:
            return 401, {'WWW-Authenticate': 'Bearer realm="api"'}, NOT_AUTHENTICATED
        req.user = user
        req.log_extra['user'] = user['username']
        throttled = self.throttle('user:' + user['username'], self.args.user_rate)
        if throttled:
            return throttled
        if opts.get('superuser') and not user['is_superuser']:
            return 403, {}, {'detail': 'You do not have permission to perform this action.', 'code': 'permission_denied'}
        return self.parse_error(req) or func(req)

    @staticmethod
    def parse_error(req):
        if req.json_error and req.method in ('POST', 'PUT', 'PATCH'):
            return 400, {}, {'detail': 'JSON parse error - %s' % req.json_error, 'code': 'parse_error'}
        return None

    def throttle(self, key, rate):
        """DRF SimpleRateThrottle."""
        if rate <= 0:
            return None
        stamp, window = _base.now(), self.args.rate_window
        history = self.history.setdefault(key, [])
        while history and history[-1] <= stamp - window:
            history.pop()
        if len(history) < rate:
            history.insert(0, stamp)
            return None
        wait = math.ceil((window - (stamp - history[-1])) / (rate - len(history) + 1))
        unit = 'second' if wait == 1 else 'seconds'
        return 429, {'Retry-After': str(wait)}, {'detail': 'Request was throttled. Expected available in %d %s.' % (wait, unit)}

    # ---- authentication -------------------------------------------------------------------
    def authenticate(self, req):
        """(user, None), (None, error response) or (None, None) = anonymous."""
        keyword, dummy, credential = req.headers.get('authorization', '').strip().partition(' ')
        keyword, credential = keyword.lower(), credential.strip()
        if keyword in ('bearer', 'token') and (not credential or ' ' in credential):
            return None, auth_failed('Invalid token header. No credentials provided.' if not credential else
                                     'Invalid token header. Token string should not contain spaces.')
        if keyword == 'bearer':
            self.restart_redis_when_due()
            info = self.tokens.get(credential)
            user = self.users.get(info['user']) if info and info['expires'] > _base.now() else None
            if user and user['is_active']:
                return user, None
            if self.args.jumpserver_version == 3:
                return None, auth_failed(V3_INVALID_BEARER)
        elif keyword == 'token':
            owner = next((name for name, tok in self.private_tokens.items() if tok['key'] == credential), None)
            if owner is None or owner not in self.users:
                return None, auth_failed('Invalid token.')
            if not self.users[owner]['is_active']:
                return None, auth_failed('User inactive or deleted.')
            self.private_tokens[owner]['date_last_used'] = _base.now()
            return self.users[owner], None
        elif keyword == 'signature':
            return self.signature_auth(req)
        session = self.sessions.get(req.cookies.get('jms_sessionid'))
        if session and session.get('user') in self.users and self.users[session['user']]['is_active']:
            if req.method not in _base.SAFE_METHODS:
                token = req.headers.get('x-csrftoken')
                origin = req.headers.get('origin')
                if not origin and req.headers.get('referer'):
                    parts = urlsplit(req.headers['referer'])
                    origin = '%s://%s' % (parts.scheme, parts.netloc)
                trusted = self.own_origins(req) | set(self.args.csrf_trusted_origin)
                if not token or token != req.cookies.get('jms_csrftoken') or origin not in trusted:
                    return None, auth_failed('CSRF Failed: CSRF token missing.')
            return self.users[session['user']], None
        return None, None

    def signature_auth(self, req):
        """common/auth/signature.py + authentication/backends/drf.py (the older code without try/except)."""
        try:
            fields = parse_authorization_header(req.headers['authorization'])[1]
        except Exception:
            return None, html_500()
        failed = auth_failed('Invalid signature.')
        if not fields or {'keyid', 'algorithm', 'signature'} - {k.lower() for k in fields.keys()}:
            return None, failed
        key_id = fields['keyid']
        if not is_uuid(key_id):
            return None, html_500()  # AccessKey.objects.get(id=...) raises ValidationError
        key = self.access_keys.get(str(uuid.UUID(key_id)))
        user = self.users.get(key['user']) if key else None
        if not (key and key['is_active'] and user and user['is_active']):
            return None, failed
        if not ip_allowed(req.client, key['ip_group']):
            return None, auth_failed('Ip is not in access ip list.')
        meta = {name: value for name, value in req.headers.items() if name not in ('content-type', 'content-length')}
        for name in ('content-type', 'content-length'):
            if name in req.headers:
                meta['nt-' + name.split('-')[1]] = req.headers[name]
        try:
            verified = HeaderVerifier(meta, key['secret'], required_headers=['(request-target)', 'date'],
                                      method=req.method.lower(), path=req.path + ('?' + req.query_string if req.query_string else '')).verify()
        except Exception:
            return None, html_500()
        if not verified:
            return None, failed
        key['date_last_used'] = _base.now()
        return user, None

    # ---- sessions -------------------------------------------------------------------------
    def session(self, req, create=True):
        """(session id, session dict, headers setting the cookie when new)."""
        sid = req.cookies.get('jms_sessionid')
        if sid in self.sessions:
            return sid, self.sessions[sid], {}
        if not create:
            return None, None, {}
        sid, csrf = self.remember(secrets.token_hex(16), secrets.token_hex(16))
        self.sessions[sid] = {'user': None, 'csrf': csrf, 'created': _base.now()}
        return sid, self.sessions[sid], {'Set-Cookie': 'jms_sessionid=%s; HttpOnly; Path=/; SameSite=Lax' % sid}

    # ---- login ----------------------------------------------------------------------------
    def login_failed(self, username, error='password_failed', msg=None):
        record = self.failures.setdefault(username, {'count': 0, 'last': 0})
        record['count'] += 1
        record['last'] = _base.now()
        remainder = self.args.login_limit - record['count']
        if remainder < 1:
            return 400, {}, {'error': 'block_login', 'msg': BLOCK_MSG}
        return 400, {}, {'error': error, 'msg': msg or PASSWORD_FAILED_MSG.format(n=remainder)}

    def is_blocked(self, username):
        record = self.failures.get(username)
        if record and _base.now() - record['last'] > self.args.block_time:
            del self.failures[username]
            return False
        return bool(record) and record['count'] >= self.args.login_limit

    def login(self, req):
        data = req.data if isinstance(req.data, dict) else {}
        username, password = str(data.get('username') or ''), str(data.get('password') or '')
        dummy, sess, cookie = self.session(req, create=False)
        stamp = _base.now()
        pending = self.pending_user(req)[1]
        if pending and username in ('', pending['username']) and password in ('', pending['password']):
            user = pending
        else:
            if self.is_blocked(username):
                return 400, {}, {'error': 'block_login', 'msg': BLOCK_MSG}
            user = self.users.get(username)
            if not user or not password or user['password'] != password:
                if sess:
                    sess.pop('auth_user', None)
                return self.login_failed(username)
            if user['is_expired']:
                return self.login_failed(username, 'user_expired', 'This account is expired')
            if not user['is_active']:
                return self.login_failed(username, 'user_inactive', 'This account is inactive.')
            if user['password'] == 'ChangeMe':
                return 500, {}, {'error': 'Server internal error'}
            self.failures.pop(username, None)
            if sess is None and (user['mfa_choices'] is not None or user['login_confirm']):
                dummy, sess, cookie = self.session(req)
            if sess is not None:
                if sess.get('auth_user') != username:
                    for mark in ('mfa_time', 'ticket'):
                        sess.pop(mark, None)
                sess['auth_user'], sess['auth_time'] = username, stamp
        if user['mfa_choices'] is not None and stamp - sess.get('mfa_time', -1e9) > MFA_CONFIRM_WINDOW:
            return 200, cookie, {'error': 'mfa_required', 'msg': 'MFA required', 'data': {'choices': user['mfa_choices'], 'url': MFA_URL}}
        if user['login_confirm']:
            ticket = sess.setdefault('ticket', {'id': str(uuid.uuid4()), 'created': stamp})
            state = self.ticket_state(user, ticket)
            if state == 'open':
                return 200, cookie, self.confirm_wait(ticket)
            if state == 'rejected':
                sess.pop('ticket', None)
                return 200, cookie, {'error': 'login_confirm_error', 'msg': 'Login confirm rejected'}
        for mark in ('auth_user', 'auth_time', 'mfa_time', 'ticket'):
            (sess or {}).pop(mark, None)
        return 201, cookie, self.issue_token(req, user)

    def issue_token(self, req, user):
        ip, stamp = self.client_ip(req), _base.now()
        token = next((t for t, info in self.tokens.items() if info['user'] == user['username'] and info['ip'] == ip and info['expires'] > stamp), None)
        token = token or self.remember(str(uuid.uuid4()))
        self.tokens[token] = {'user': user['username'], 'ip': ip, 'expires': stamp + self.args.token_ttl}
        return {'token': token, 'keyword': 'Bearer', 'date_expired': self.fmt_date(req, stamp + self.args.token_ttl), 'user': self.profile(user, req)}

    def ticket_state(self, user, ticket):
        if _base.now() - ticket['created'] < self.args.confirm_after:
            return 'open'
        return 'rejected' if user['confirm_reject'] else 'approved'

    @staticmethod
    def confirm_wait(ticket):
        return {'error': 'login_confirm_wait', 'msg': 'Wait for the administrator to confirm this login',
                'data': {'ticket_id': ticket['id'], 'ticket_detail_url': '/ui/#/tickets/login-confirm/%s/' % ticket['id']}}

    def confirm_status(self, req):
        dummy, sess, dummy = self.session(req, create=False)
        user = self.users.get((sess or {}).get('auth_user'))
        if not user or 'ticket' not in sess:
            return 200, {}, {'status': 'none', 'error': 'login_confirm_error', 'msg': 'No ticket found'}
        state = self.ticket_state(user, sess['ticket'])
        if state == 'open':
            return 200, {}, dict(self.confirm_wait(sess['ticket']), status='open')
        if state == 'rejected':
            return 200, {}, {'status': 'rejected', 'error': 'login_confirm_error', 'msg': 'Login confirm rejected'}
        return 200, {}, {'status': 'approved', 'msg': 'ok', 'ticket_id': sess['ticket']['id']}

    def pending_user(self, req):
        dummy, sess, dummy = self.session(req, create=False)
        if not sess or sess.get('auth_user') not in self.users or _base.now() - sess.get('auth_time', 0) > MFA_CONFIRM_WINDOW:
            return None, None
        return sess, self.users[sess['auth_user']]

    def mfa_challenge(self, req):
        sess, user = self.pending_user(req)
        if not user:
            return 400, {}, {'error': 'session_empty', 'msg': 'Session is empty'}
        data = req.data if isinstance(req.data, dict) else {}
        kind, code = str(data.get('type') or 'otp'), str(data.get('code') or '')
        choices = user['mfa_choices'] or []
        stamp = _base.now()
        if kind == 'otp' and 'otp' in choices and user['totp_secret']:
            valid = code in {totp(user['totp_secret'], stamp + shift) for shift in (-30, 0, 30)}
        else:
            valid = kind in choices and kind != 'otp' and code and self.mfa_codes.get(user['username']) == code
        if not valid:
            return 401, {}, {'error': 'mfa_failed', 'msg': 'MFA code invalid, or ntp sync server time'}
        sess['mfa_time'] = stamp
        self.mfa_codes.pop(user['username'], None)
        return 200, {}, {'msg': 'ok'}

    def mfa_send_code(self, req):
        dummy, user = self.pending_user(req)
        if not user:
            return 400, {}, {'error': 'session_empty', 'msg': 'Session is empty'}
        data = req.data if isinstance(req.data, dict) else {}
        kind = str(data.get('type') or '')
        if kind not in ('email', 'sms') or kind not in (user['mfa_choices'] or []):
            return 400, {}, {'error': 'mfa_type_invalid', 'msg': 'The MFA type (%s) is not supported' % kind}
        self.mfa_codes[user['username']] = '%06d' % secrets.randbelow(10 ** 6)
        return 200, {}, {'msg': 'ok'}

    def health(self, req):
        return 200, {}, {'status': True, 'time': int(_base.now()), 'db_status': True, 'redis_status': True}

    # ---- users and orgs -------------------------------------------------------------------
    def org_users(self, req):
        org = req.log_extra['org']
        return sorted((u for u in self.users.values() if org in u['orgs']), key=lambda u: u['username'])

    def users_list(self, req):
        users = self.org_users(req)
        for field in ('username', 'email', 'id'):
            if req.q(field):
                users = [u for u in users if u[field] == req.q(field)]
        if req.q('search'):
            users = [u for u in users if req.q('search').lower() in (u['username'] + ' ' + u['name'] + ' ' + u['email']).lower()]
        return 200, {}, self.paginate(req, [self.profile(u, req) for u in users])

    def users_get(self, req):
        user = next((u for u in self.org_users(req) if u['id'] == req.params['id']), None)
        return (200, {}, self.profile(user, req)) if user else (404, {}, NOT_FOUND)

    def users_create(self, req):
        data = req.data if isinstance(req.data, dict) else {}
        errors = {field: ['This field is required.'] for field in ('username', 'name') if not data.get(field)}
        if not errors and data['username'] in self.users:
            errors = {'username': ['User with this Username already exists.']}
        if errors:
            return 400, {}, errors
        entry = {key: data[key] for key in ('username', 'name', 'email', 'password', 'is_active') if key in data}
        entry['orgs'] = [req.log_extra['org']]
        return 201, {}, self.profile(self.put_user(entry), req)

    def users_delete(self, req):
        user = next((u for u in self.org_users(req) if u['id'] == req.params['id']), None)
        if not user:
            return 404, {}, NOT_FOUND
        self.drop_user(user['username'])
        return 204, {}, None

    def drop_user(self, username):
        del self.users[username]
        self.tokens = {t: info for t, info in self.tokens.items() if info['user'] != username}
        self.access_keys = {k: key for k, key in self.access_keys.items() if key['user'] != username}
        self.private_tokens.pop(username, None)

    def orgs_list(self, req):
        """OrgViewSet: filterset on name (exact)."""
        orgs = [self.org(o) for o in ORGS if req.q('name') is None or o['name'] == req.q('name')]
        return 200, {}, self.paginate(req, orgs)

    def orgs_get(self, req):
        org = next((o for o in ORGS if o['id'] == req.params['id'].lower()), None)
        if not org:
            return 404, {}, {'detail': 'Organization object does not exist.', 'code': 'object_does_not_exist'}
        return 200, {}, self.org(org)

    # ---- access keys and confirmation -----------------------------------------------------
    def own_keys(self, req):
        return sorted((k for k in self.access_keys.values() if k['user'] == req.user['username']), key=lambda k: k['date_created'])

    def keys_list(self, req):
        return 200, {}, self.paginate(req, [self.key_view(k, req) for k in self.own_keys(req)])

    def keys_create(self, req):
        dummy, sess, dummy = self.session(req, create=False)
        confirmed = (sess and sess.get('confirm_user') == req.user['username'] and _base.now() - sess.get('confirm_time', 0) <= CONFIRM_VALID
                     and sess.get('confirm_level', 0) >= CONFIRM_LEVELS.index('password') + 1)
        if not confirmed:
            return 412, {}, {'type': 'user_confirm_required', 'code': 'password', 'detail': 'This action require confirm current user'}
        if len(self.own_keys(req)) >= MAX_ACCESS_KEYS:
            return 400, {}, ['Access keys can be created at most %d' % MAX_ACCESS_KEYS]
        # The real view ignores the body (user.create_access_key()): is_active and ip_group are set by PATCH.
        key = {'id': str(uuid.uuid4()), 'secret': self.remember(str(uuid.uuid4())), 'user': req.user['username'],
               'is_active': True, 'ip_group': ['*'], 'date_created': _base.now(), 'date_last_used': None}
        self.access_keys[key['id']] = key
        return 201, {}, self.key_view(key, req, with_secret=True)

    def keys_item(self, req):
        key = self.access_keys.get(req.params['id'].lower())
        if not key or key['user'] != req.user['username']:
            return 404, {}, NOT_FOUND
        if req.method == 'DELETE':
            del self.access_keys[key['id']]
            return 204, {}, None
        if req.method in ('PATCH', 'PUT'):
            data = req.data if isinstance(req.data, dict) else {}
            if 'is_active' in data:
                key['is_active'] = bool(data['is_active'])
            if 'ip_group' in data:
                key['ip_group'] = list(data['ip_group'] or ['*'])
        return 200, {}, self.key_view(key, req)

    @staticmethod
    def confirm_backend(user, confirm_type):
        """The first backend that applies, from the strongest down to ``confirm_type`` (get_prop_backends)."""
        if confirm_type not in CONFIRM_LEVELS:
            return None
        allowed = CONFIRM_LEVELS[CONFIRM_LEVELS.index(confirm_type):]
        if 'mfa' in allowed and user['totp_secret'] and 'otp' in (user['mfa_choices'] or []):
            return 'mfa'
        return 'password' if 'password' in allowed or 'relogin' in allowed else None

    def confirm_backends(self, req):
        backend = self.confirm_backend(req.user, req.q('confirm_type', 'password'))
        if backend is None:
            return 400, {}, {'error': 'This action require verify your MFA'}
        content = [{'name': 'otp', 'disabled': False, 'display_name': 'OTP', 'placeholder': 'OTP verification code'}] if backend == 'mfa' else ''
        return 200, {}, {'confirm_type': backend, 'content': content}

    def confirm(self, req):
        data = req.data if isinstance(req.data, dict) else {}
        confirm_type = data.get('confirm_type') or 'password'
        backend = self.confirm_backend(req.user, confirm_type)
        secret = str(data.get('secret_key') or '')
        if backend == 'mfa':
            stamp = _base.now()
            ok = data.get('mfa_type') == 'otp' and secret in {totp(req.user['totp_secret'], stamp + shift) for shift in (-30, 0, 30)}
            message = 'MFA code invalid, or ntp sync server time'
        else:
            ok = backend is not None and bool(secret) and secret == req.user['password']
            message = 'Authentication failed password incorrect'
        if not ok:
            return 400, {}, {'error': message}
        dummy, sess, cookie = self.session(req)
        sess['confirm_user'], sess['confirm_time'] = req.user['username'], _base.now()
        sess['confirm_level'] = CONFIRM_LEVELS.index(confirm_type) + 1
        return 200, dict(cookie, **{'Content-Type': 'application/json'}), json.dumps('ok')

    # ---- control API ----------------------------------------------------------------------
    def ctl_session(self, req):
        data = req.data if isinstance(req.data, dict) else {}
        if data.get('username') not in self.users:
            return 404, {}, {'error': 'no such user'}
        sid, csrf = self.remember(secrets.token_hex(16), secrets.token_hex(32))
        self.sessions[sid] = {'user': data['username'], 'csrf': csrf, 'created': _base.now()}
        return 200, {}, {'session_id': sid, 'csrf_token': csrf}

    def ctl_expire_tokens(self, req):
        data = req.data if isinstance(req.data, dict) else {}
        if data.get('at'):
            self.bearer_requests = 0
            self.redis_restarts = sorted(int(n) for n in data['at'])
            return 200, {}, {'ok': True, 'scheduled': self.redis_restarts}
        count = len(self.tokens)
        self.tokens = {}
        return 200, {}, {'ok': True, 'expired': count}

    def restart_redis_when_due(self):
        """Drop every bearer token when this bearer request is one that POST /_sim/expire_tokens {"at"} named."""
        self.bearer_requests += 1
        if self.bearer_requests in self.redis_restarts:
            self.redis_restarts.remove(self.bearer_requests)
            self.tokens = {}

    def ctl_age_access_keys(self, req):
        data = req.data if isinstance(req.data, dict) else {}
        aged = []
        for key in self.access_keys.values():
            if key['user'] == data.get('username'):
                key['date_created'] -= float(data.get('seconds') or 0)
                aged.append(key['id'])
        return 200, {}, {'aged': sorted(aged)}

    def ctl_users(self, req):
        data = req.data if isinstance(req.data, dict) else {}
        if not data.get('username'):
            return 400, {}, {'error': 'username is required'}
        existing = self.users.get(data['username'])
        if existing is not None and 'totp_secret' in data and 'mfa_choices' not in data:
            data['mfa_choices'] = ['otp'] if data['totp_secret'] else None
        user = self.put_user(dict(data), existing)
        if data.get('reset_failures'):
            self.failures.pop(user['username'], None)
        return 200, {}, {'created': existing is None, 'user': self.profile(user)}

    def ctl_state(self, req):
        keys, bearer = {}, {}
        for key in self.access_keys.values():
            keys[key['user']] = keys.get(key['user'], 0) + 1
        for info in self.tokens.values():
            bearer[info['user']] = bearer.get(info['user'], 0) + 1
        failures = {name: dict(rec, blocked=rec['count'] >= self.args.login_limit) for name, rec in self.failures.items()}
        return 200, {}, {'users': len(self.users), 'failures': failures, 'bearer_tokens': len(self.tokens), 'bearer_tokens_by_user': bearer,
                         'access_keys': sum(keys.values()), 'access_keys_by_user': keys, 'private_tokens': sorted(self.private_tokens),
                         'sessions': len(self.sessions), 'mfa_codes': self.mfa_codes}

    def ctl_private_token(self, req):
        username = req.params['username']
        exists = username in self.users
        current = self.private_tokens.get(username)
        if req.method == 'GET':
            return 200, {}, {'user_exists': exists, 'token': self.token_view(current)}
        action = (req.data if isinstance(req.data, dict) else {}).get('action')
        if action not in ('get_or_create', 'refresh', 'delete'):
            return 400, {}, {'error': 'action must be get_or_create, refresh or delete'}
        result = {'user_exists': exists, 'created': False, 'deleted': False, 'token': None}
        if not exists:
            return 200, {}, result
        if action in ('refresh', 'delete') and current:
            del self.private_tokens[username]
            result['deleted'], current = True, None
        if action in ('refresh', 'get_or_create') and not current:
            current = self.private_tokens[username] = {'key': self.remember(secrets.token_hex(20)), 'created': _base.now(), 'date_last_used': None}
            result['created'] = True
        result['token'] = self.token_view(current)
        return 200, {}, result

    def token_view(self, token):
        return {'key': token['key'], 'created': self.fmt_date(None, token['created'])} if token else None


if __name__ == '__main__':
    sys.exit(_base.main(JumpServerSim))
