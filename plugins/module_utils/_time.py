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


def epoch_from_iso(value):
    parsed = parse_datetime(value)
    return parsed.timestamp() if parsed else None


def seconds_left(expires_at, at=None):
    """Seconds until ``expires_at`` (epoch); negative when past; None when unknown."""
    if expires_at is None:
        return None
    return float(expires_at) - (now() if at is None else at)
