# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Token files and expiry arithmetic.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

A token file is one JSON object, mode 0600, replaced atomically (write a temporary file in the same
directory, fsync, rename), so a reader never sees half a token and a crash never leaves one behind.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os
import re
import tempfile
import time

from ansible_collections.opsauth.tokens.plugins.module_utils._common import OpsAuthError


class TokenFileError(OpsAuthError):
    """A token file cannot be read or written."""


FILE_MODE = 0o600


def read_token_file(path):
    """Return the stored dict, or None when the file does not exist."""
    try:
        with open(path, 'r') as handle:
            data = json.load(handle)
    except (IOError, OSError) as exc:
        if not os.path.exists(path):
            return None
        raise TokenFileError('cannot read token file %s: %s' % (path, exc.strerror or exc))
    except ValueError:
        raise TokenFileError('token file %s is not valid JSON; remove it (state=absent) or point dest elsewhere' % path)
    if not isinstance(data, dict):
        raise TokenFileError('token file %s does not hold a JSON object; remove it or point dest elsewhere' % path)
    return data


def write_token_file(path, data):
    """Write ``data`` as JSON to ``path`` atomically with mode 0600. The directory must exist."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise TokenFileError('the directory of token file %s does not exist; create it first (mode 0700)' % path)
    fd, tmp = None, None
    try:
        # mkstemp creates the file with 0600 from the start: the token is never readable by others, not even briefly.
        fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
        with os.fdopen(fd, 'w') as handle:
            fd = None
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write('\n')
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
        tmp = None
    except (IOError, OSError) as exc:
        raise TokenFileError('cannot write token file %s: %s' % (path, exc.strerror or exc))
    finally:
        if fd is not None:
            os.close(fd)
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def remove_token_file(path):
    """Remove the file; return True when there was one."""
    try:
        os.unlink(path)
        return True
    except (IOError, OSError) as exc:
        if not os.path.exists(path):
            return False
        raise TokenFileError('cannot remove token file %s: %s' % (path, exc.strerror or exc))


# --- time ------------------------------------------------------------------------------------------------------------

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
