# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Time: the clock, the dates servers send, and how long a token has left.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Internally a point in time is an epoch number (``expires_at``); an ISO 8601 string is only what a file or a result
shows (``iso_from_epoch``). Tests freeze the clock by replacing ``now`` here: every caller asks this module.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import re
import time

UTC = datetime.timezone.utc

# JumpServer answers '%Y/%m/%d %H:%M:%S %z' (v2.x-v4.x); older servers and other tools send ISO 8601.
_DATE_FORMATS = ('%Y/%m/%d %H:%M:%S %z', '%Y-%m-%d %H:%M:%S %z', '%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z')


def now():
    return time.time()


def parse_datetime(value):
    """Parse a server date into an aware datetime; None when the value is not a date we know."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith('Z'):
        text = text[:-1] + '+0000'
    # Python 3.6 strptime does not accept '+08:00' for %z.
    text = re.sub(r'([+-]\d{2}):(\d{2})$', r'\1\2', text)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def iso_from_epoch(epoch):
    return datetime.datetime.fromtimestamp(int(epoch), UTC).isoformat()


def iso_utc(value):
    """A server's date (any format parse_date_expired knows, any offset) as ISO 8601 in UTC, the one form results
    show (docs/results.md); a value that is not such a date is returned as it is, rather than lost."""
    parsed = parse_date_expired(value)
    return iso_from_epoch(parsed.timestamp()) if parsed is not None else (value if value else None)


# A duration: one or more <number><unit> with s, m, h, d or w ('90d', '12h', '1h30m', '0s').
_DURATION = re.compile(r'(\d+)\s*([smhdw])')
_UNIT_SECONDS = dict(s=1, m=60, h=3600, d=86400, w=7 * 86400)


def parse_duration(text):
    """Seconds in a duration string; ValueError (naming the value and the form) when it is not one."""
    raw = str(text).strip().lower()
    parts = _DURATION.findall(raw)
    if not raw or not parts or _DURATION.sub('', raw).strip():
        raise ValueError('%r is not a duration: write a number and a unit (s, m, h, d, w), e.g. 90d, 12h, 30m, 0s'
                         % (text,))
    return sum(int(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def epoch_from_iso(value):
    parsed = parse_datetime(value)
    return parsed.timestamp() if parsed else None


def seconds_left(expires_at, at=None):
    """Seconds until ``expires_at`` (epoch); negative when past; None when unknown."""
    if expires_at is None:
        return None
    return float(expires_at) - (now() if at is None else at)


def parse_date_expired(value):
    """An aware datetime out of a login's ``date_expired``; None when it carries no usable date.

    JumpServer sends '%Y/%m/%d %H:%M:%S %z' in the server's TIME_ZONE; older servers ISO 8601; an epoch is
    accepted too. A date without an offset is refused: guessing the server's time zone could be off by hours.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if re.match(r'^\d{9,11}(\.\d+)?$', text):
        return datetime.datetime.fromtimestamp(float(text), UTC)
    parsed = parse_datetime(text)
    if parsed is None:
        try:
            parsed = datetime.datetime.fromisoformat(text.replace('Z', '+00:00').replace('/', '-'))
        except ValueError:
            return None
    return parsed if parsed.tzinfo is not None else None


def expiry_fields(date_expired, now=None):
    """``date_expired`` (ISO 8601 in UTC, whatever offset the server answered in), ``expires_at`` (epoch) and
    ``expires_in`` (seconds)."""
    parsed = parse_date_expired(date_expired)
    if parsed is None:
        return dict(date_expired=date_expired if date_expired else None, expires_at=None, expires_in=None)
    expires_at = int(parsed.timestamp())
    moment = time.time() if now is None else now
    return dict(date_expired=iso_from_epoch(expires_at), expires_at=expires_at, expires_in=max(0, int(expires_at - moment)))
