# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import hashlib

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils._totp import TotpSecretError, decode_secret, totp

# RFC 6238 Appendix B: the seeds are ASCII digits, the codes 8 digits long.
SEED_SHA1 = base64.b32encode(b'12345678901234567890').decode()
SEED_SHA256 = base64.b32encode(b'12345678901234567890123456789012').decode()
SEED_SHA512 = base64.b32encode(b'1234567890' * 6 + b'1234').decode()

RFC_6238_VECTORS = [
    (59, '94287082', '46119246', '90693936'),
    (1111111109, '07081804', '68084774', '25091201'),
    (1111111111, '14050471', '67062674', '99943326'),
    (1234567890, '89005924', '91819424', '93441116'),
    (2000000000, '69279037', '90698825', '38618901'),
    (20000000000, '65353130', '77737706', '47863826'),
]


@pytest.mark.parametrize('at, sha1, sha256, sha512', RFC_6238_VECTORS)
def test_rfc_6238_vectors(at, sha1, sha256, sha512):
    assert totp(SEED_SHA1, at=at, digits=8) == sha1
    assert totp(SEED_SHA256, at=at, digits=8, digest=hashlib.sha256) == sha256
    assert totp(SEED_SHA512, at=at, digits=8, digest=hashlib.sha512) == sha512


@pytest.mark.parametrize('at, sha1, dummy256, dummy512', RFC_6238_VECTORS)
def test_six_digit_default_is_the_low_digits(at, sha1, dummy256, dummy512):
    # Authenticator apps (and JumpServer) use 6 digits: the same number modulo 10**6, zero-padded.
    assert totp(SEED_SHA1, at=at) == sha1[-6:]


def test_code_changes_every_30_seconds_only():
    assert totp(SEED_SHA1, at=60) == totp(SEED_SHA1, at=89.9)
    assert totp(SEED_SHA1, at=89.9) != totp(SEED_SHA1, at=90)


@pytest.mark.parametrize('written', ['jbsw y3dp ehpk 3pxp', 'JBSW-Y3DP-EHPK-3PXP', 'JBSWY3DPEHPK3PXP====', ' JBSWY3DPEHPK3PXP\n'])
def test_secret_as_apps_show_it(written):
    assert decode_secret(written) == decode_secret('JBSWY3DPEHPK3PXP') == b'Hello!\xde\xad\xbe\xef'


@pytest.mark.parametrize('secret', ['not base32!', '0189', '', None])
def test_bad_secret_is_a_clear_error_without_the_secret(secret):
    with pytest.raises(TotpSecretError) as info:
        totp(secret, at=0)
    assert 'mfa_totp_secret' in str(info.value)
    if secret:
        assert secret not in str(info.value)
