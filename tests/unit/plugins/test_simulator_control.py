# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulators' control (reset, faults, request log) is written once, in their own class: a fault added by a unit
fixture (in-process) and the same fault added through the /_sim HTTP API (what the integration targets and run.py
use) answer the same, with the same defaults; the log and the reset mean the same through both."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

LOGIN = '/login'
# Every kind whose answer a client can read back (drop, truncate, big and endless break or flood the connection).
KINDS = ['status', 'html', 'invalid_json', 'body']


def answer(df):
    reply = requests.post(df.url + LOGIN, json={'grant_type': 'password', 'email': 'ops@example.com',
                                                'password': 'Ops-Pass-1'}, timeout=10)
    return reply.status_code, reply.headers.get('Content-Type'), reply.content


@pytest.mark.parametrize('kind', KINDS)
def test_a_fault_answers_the_same_from_a_fixture_and_from_the_http_api(df, kind):
    added = dict(df.fault(path=LOGIN, kind=kind))  # a copy: the simulator counts the fault down when it answers
    by_fixture = answer(df)
    through_http = requests.post(df.url + '/_sim/faults', json={'path': LOGIN, 'kind': kind}, timeout=10)
    assert through_http.status_code == 201
    assert dict(through_http.json()['fault'], id=added['id']) == added  # the same defaults, field by field
    assert answer(df) == by_fixture


def test_an_html_fault_is_an_nginx_page_with_status_200_unless_told(df):
    df.fault(path=LOGIN, kind='html')
    status, content_type, body = answer(df)
    assert (status, content_type) == (200, 'text/html') and b'502 Bad Gateway' in body
    df.fault(path=LOGIN, kind='html', status=502)
    assert answer(df)[0] == 502


def test_the_request_log_and_reset_mean_the_same_through_both(df):
    answer(df)
    answer(df)
    logged = requests.get(df.url + '/_sim/requests', params={'method': 'POST', 'path': LOGIN}, timeout=10).json()
    assert logged['count'] == 2 and logged['requests'] == df.requests('POST', LOGIN)
    assert [entry['seq'] for entry in df.app.find_requests(since=logged['requests'][0]['seq'])] == \
        [logged['requests'][1]['seq']]
    df.fault(path=LOGIN)
    assert requests.post(df.url + '/_sim/reset', json={}, timeout=10).json() == {'ok': True, 'state_reset': False}
    assert df.requests() == [] and df.app.faults == []


def test_a_bad_fault_is_refused_with_one_clear_line(df):
    unknown = requests.post(df.url + '/_sim/faults', json={'path': LOGIN, 'satus': 500}, timeout=10)
    assert unknown.status_code == 400 and 'unknown fault field(s) satus' in unknown.json()['error']
    with pytest.raises(ValueError, match='kind must be one of'):
        df.fault(kind='slow')
    assert df.app.faults == []
