# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Login-free DeepFlow page URLs (module_utils/deepflow/_deepflow_pages.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow import _deepflow_errors as dfe, _deepflow_pages as dfp
from ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.deepflow.conftest import NOW, jwt


# --- login-free page URLs ------------------------------------------------------------------------------------------

@pytest.mark.parametrize('page, path', [
    ('views', '/monitor/list'),
    ('applications', '/appPerformance/instance/index'),
    ('network', '/platformOverview/instance/index'),
    ('/custom/page', '/custom/page'),
])
def test_page_url_for_each_page(page, path):
    assert (dfp.page_url('https://deepflow.example.com', page, 'T', 'R')
            == 'https://deepflow.example.com%s?token=T&refreshToken=R' % path)


def test_page_url_keeps_query_encodes_values_and_omits_refresh_for_permanent():
    url = dfp.page_url('https://d.example.com/prefix/', '/appPerformance/instance/index?noBack=true', 'gAAAA+/=', None)
    assert url == 'https://d.example.com/prefix/appPerformance/instance/index?noBack=true&token=gAAAA%2B%2F%3D'
    assert 'refreshToken' not in dfp.page_url('https://d.example.com', 'views', 'T', '')


def test_page_url_replaces_a_token_already_there():
    url = dfp.page_url('http://d:8080', '/monitor/list?token=old&a=%20b&refreshToken=old#frag', 'new', 'r')
    assert url == 'http://d:8080/monitor/list?a=%20b&token=new&refreshToken=r#frag'


@pytest.mark.parametrize('base, page, token, refresh, message', [
    ('https://d.example.com', 'dashboards', 'T', None, "unknown DeepFlow page 'dashboards'"),
    ('https://d.example.com', 'monitor/list', 'T', None, 'path starting with /'),
    ('https://d.example.com', '', 'T', None, 'page is missing'),
    ('https://d.example.com', None, 'T', None, 'page is missing'),
    ('deepflow.example.com', 'views', 'T', None, 'not an absolute http(s) URL'),
    ('/monitor/list', 'views', 'T', None, 'not an absolute http(s) URL'),
    ('ftp://d.example.com', 'views', 'T', None, 'not an absolute http(s) URL'),
    ('', 'views', 'T', None, 'URL is empty'),
    (None, 'views', 'T', None, 'URL is empty'),
    ('https://d.example.com', 'views', '', None, 'token is empty'),
    ('https://d.example.com', 'views', '   ', None, 'token is empty'),
    ('https://d.example.com', 'views', None, None, 'token is empty'),
    ('https://d.example.com', 'views', 'T', 42, 'refresh_token must be a string'),
])
def test_page_url_bad_input(base, page, token, refresh, message):
    with pytest.raises(dfe.PageUrlError) as caught:
        dfp.page_url(base, page, token, refresh)
    assert message in str(caught.value)


def test_a_token_passed_as_page_is_not_echoed():
    token = jwt({'exp': NOW})
    with pytest.raises(dfe.PageUrlError) as caught:
        dfp.page_url('https://d.example.com', token, 'T')
    assert token not in str(caught.value) and 'character value' in str(caught.value)


def test_page_urls_all_three_or_none():
    pages = dfp.page_urls('https://d.example.com', 'T', 'R')
    assert sorted(pages) == ['applications', 'network', 'views']
    assert pages['network'] == 'https://d.example.com/platformOverview/instance/index?token=T&refreshToken=R'
    assert dfp.page_urls(None, 'T') == {} and dfp.page_urls('https://d.example.com', None) == {}
