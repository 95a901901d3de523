# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fake models' store (TEST ONLY): the JumpServer simulator's private-token control API.

GET /_sim/version -> {"version": 3 | 4}
GET /_sim/private_tokens/<username> -> {"user_exists", "token": {"key", "created"} | null}
POST /_sim/private_tokens/<username> {"action": "get_or_create" | "refresh" | "delete"}
     -> {"user_exists", "created", "deleted", "token"}
"""
import datetime
import json
import os
from urllib.parse import quote
from urllib.request import Request, urlopen

DATE_FORMATS = ('%Y/%m/%d %H:%M:%S %z', '%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z')


class OperationalError(Exception):
    """What Django raises when the database cannot be reached."""


def _record(username, method, body):
    """Append the lookup to the fakes' call log, so that a test can see exactly which username the models got."""
    path = os.environ.get('OPSAUTH_FAKE_LOG')
    if path:
        with open(path, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps({'prog': 'manage.py', 'lookup': username, 'method': method,
                                     'action': (body or {}).get('action')}) + '\n')


def _call(method, username, body=None):
    _record(username, method, body)
    base = os.environ.get('OPSAUTH_FAKE_JMS_URL')
    if not base:
        raise OperationalError('could not connect to server: the fake container has no jms_url in the state file')
    url = '%s/_sim/private_tokens/%s' % (base.rstrip('/'), quote(username, safe=''))
    data = json.dumps(body).encode() if body is not None else None
    req = Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
    with urlopen(req, timeout=30) as resp:  # nosec - loopback simulator only
        return json.loads(resp.read().decode())


def version():
    """The JumpServer major version of the simulator behind this container (4 when it cannot be asked)."""
    base = os.environ.get('OPSAUTH_FAKE_JMS_URL')
    if not base:
        return 4
    try:
        with urlopen('%s/_sim/version' % base.rstrip('/'), timeout=30) as resp:  # nosec - loopback simulator only
            return json.loads(resp.read().decode()).get('version', 4)
    except (OSError, ValueError):
        return 4  # no simulator to ask: the models fail on their first query, as Django does without its database


def read(username):
    return _call('GET', username)


def act(username, action):
    return _call('POST', username, {'action': action})


def parse_date(value):
    if not isinstance(value, str):
        return value
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return value
