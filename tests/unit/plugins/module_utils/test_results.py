# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared result vocabulary (module_utils/_results.py): the keys of a success, check mode's placeholder expiry."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.opsauth.tokens.plugins.module_utils import _results
from ansible_collections.opsauth.tokens.plugins.module_utils._time import iso_from_epoch

NOW = 1700000000


def test_a_success_says_error_code_null_and_whether_it_reused():
    result = {'changed': True}
    assert _results.succeeded(result) is result
    assert result == {'changed': True, 'reused': False, 'error_code': None}
    assert _results.succeeded({}, reused=True) == {'reused': True, 'error_code': None}


def test_what_the_job_said_is_kept():
    assert _results.succeeded({'reused': True, 'error_code': 'x'}, reused=False) == {'reused': True, 'error_code': 'x'}


def test_placeholder_expiry_is_now_plus_the_default_lifetime_in_whole_seconds(monkeypatch):
    monkeypatch.setattr(_results, 'now', lambda: NOW + 0.75)
    assert _results.placeholder_expiry(3600) == dict(expires_at=NOW + 3600, date_expired=iso_from_epoch(NOW + 3600),
                                                     expires_in=3600)
    assert _results.placeholder_expiry('60')['expires_in'] == 60


def test_the_placeholder_is_no_credential_shape():
    assert _results.PLACEHOLDER == 'check-mode-placeholder'
