# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Time-based one-time passwords (RFC 6238), standard library only.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

JumpServer's OTP MFA uses the authenticator-app defaults: HMAC-SHA1, 30 s steps, 6 digits, base32 secrets.
Computing the code here spares the target a pyotp dependency for twenty lines of arithmetic.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii
import hashlib
import hmac
import struct
import time

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError


class TotpSecretError(OpsAuthError):
    """The secret is not base32."""

    code = 'invalid_option'


def decode_secret(secret):
    """Bytes of a base32 secret as authenticator apps show it: any case, spaces or dashes, padding optional."""
    text = ''.join((secret or '').split()).replace('-', '').upper().rstrip('=')
    if not text:
        raise TotpSecretError('mfa_totp_secret is empty; give the base32 secret of the MFA device')
    try:
        return base64.b32decode(text + '=' * (-len(text) % 8))
    except (binascii.Error, TypeError, ValueError):
        # Never echo the secret itself: it is the second factor.
        raise TotpSecretError('mfa_totp_secret is not a base32 string (letters A-Z and digits 2-7)')


def hotp(key, counter, digits=6, digest=hashlib.sha1):
    """RFC 4226 HOTP value of ``counter`` for the raw ``key`` bytes."""
    mac = hmac.new(key, struct.pack('>Q', counter), digest).digest()
    offset = bytearray(mac)[-1] & 0x0F
    number = struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % (10 ** digits)).zfill(digits)


def totp(secret, at=None, step=30, digits=6, digest=hashlib.sha1):
    """The RFC 6238 code of the base32 ``secret`` at epoch ``at`` (now by default)."""
    moment = time.time() if at is None else at
    return hotp(decode_secret(secret), int(moment // step), digits=digits, digest=digest)
