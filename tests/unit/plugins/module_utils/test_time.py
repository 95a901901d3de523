# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The dates servers send and how long a token has left (_time)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils import _time

EPOCH = 1787364000  # 2026-08-22T02:00:00Z


@pytest.mark.parametrize('text', [
    '2026/08/22 10:00:00 +0800',        # JumpServer v2.x-v4.x
    '2026-08-22 10:00:00 +0800',
    '2026-08-22T10:00:00+08:00',        # ISO 8601 with a colon in the offset
    '2026-08-22T02:00:00Z',
    '2026-08-22T02:00:00.000000+00:00',
])
def test_every_known_format_is_the_same_moment(text):
    assert _time.epoch_from_iso(text) == EPOCH


@pytest.mark.parametrize('value', [None, '', 'soon', '2026-08-22 10:00:00', 1787364000])
def test_what_is_not_a_dated_string_with_an_offset_is_no_date(value):
    # Without an offset the server's time zone would be a guess, off by hours.
    assert _time.parse_datetime(value) is None


def test_iso_and_epoch_round_trip_in_utc():
    assert _time.iso_from_epoch(EPOCH) == '2026-08-22T02:00:00+00:00'
    assert _time.epoch_from_iso(_time.iso_from_epoch(EPOCH)) == EPOCH


def test_seconds_left_counts_from_the_clock_or_a_given_moment(monkeypatch):
    monkeypatch.setattr(_time, 'now', lambda: EPOCH - 60)
    assert _time.seconds_left(EPOCH) == 60
    assert _time.seconds_left(EPOCH, at=EPOCH + 5) == -5
    assert _time.seconds_left(None) is None


# --- a JumpServer login's date_expired ---------------------------------------------------------------------------

@pytest.mark.parametrize('value, epoch', [
    ('2026/08/22 10:00:00 +0800', 1787364000),
    ('2026/08/22 02:00:00 +0000', 1787364000),
    ('2026-08-22 10:00:00 +0800', 1787364000),
    ('2026-08-22T10:00:00+08:00', 1787364000),
    ('2026-08-22T02:00:00Z', 1787364000),
    ('2026-08-22T02:00:00.250000Z', 1787364000),
    ('2026-08-22T10:00:00.5+08:00', 1787364000),
    (1787364000, 1787364000),
    ('1787364000', 1787364000),
])
def test_date_expired_formats(value, epoch):
    assert int(_time.parse_date_expired(value).timestamp()) == epoch


@pytest.mark.parametrize('value', ['2026/08/22 10:00:00', 'tomorrow', '', None, True, {'a': 1}])
def test_dates_without_offset_or_garbage_are_unknown(value):
    # A date without an offset would have to guess the server's time zone: better unknown than hours off.
    assert _time.parse_date_expired(value) is None


def test_expiry_fields_are_in_utc_whatever_the_servers_offset():
    # A login's date_expired comes in the server's TIME_ZONE (+0800 by default); results say it in UTC (docs/results.md).
    fields = _time.expiry_fields('2026/08/22 10:00:00 +0800', now=EPOCH - 3600)
    assert fields == {'date_expired': '2026-08-22T02:00:00+00:00', 'expires_at': 1787364000, 'expires_in': 3600}
    assert _time.expiry_fields('2026-08-21T21:00:00-05:00', now=EPOCH)['date_expired'] == '2026-08-22T02:00:00+00:00'
    assert _time.expiry_fields('2026/08/22 10:00:00 +0800', now=1787364000 + 5)['expires_in'] == 0
    assert _time.expiry_fields('soon', now=EPOCH - 3600) == {'date_expired': 'soon', 'expires_at': None, 'expires_in': None}


def test_iso_utc_converts_any_offset_and_keeps_what_is_no_date():
    assert _time.iso_utc('2026/12/07 02:29:11 +0800') == '2026-12-06T18:29:11+00:00'
    assert _time.iso_utc('2026-12-06T18:29:11Z') == '2026-12-06T18:29:11+00:00'
    assert _time.iso_utc('2026-12-06T18:29:11.123456+00:00') == '2026-12-06T18:29:11+00:00'
    assert _time.iso_utc('yesterday') == 'yesterday' and _time.iso_utc(None) is None and _time.iso_utc('') is None


@pytest.mark.parametrize('text, seconds', [('90d', 90 * 86400), ('12h', 43200), ('30m', 1800), ('0s', 0),
                                           ('1h30m', 5400), ('2w', 14 * 86400), (' 7D ', 7 * 86400)])
def test_durations(text, seconds):
    assert _time.parse_duration(text) == seconds


@pytest.mark.parametrize('text', ['', '90', 'd', '90 days', '-1d', '1.5h', '12h later'])
def test_what_is_not_a_duration_is_named(text):
    with pytest.raises(ValueError, match='is not a duration'):
        _time.parse_duration(text)


def test_server_dates_become_utc():
    assert _time.iso_utc('2026/12/07 02:29:11 +0800') == '2026-12-06T18:29:11+00:00'
    assert _time.iso_utc(None) is None and _time.iso_utc('yesterday') == 'yesterday'
