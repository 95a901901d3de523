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
