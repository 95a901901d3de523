# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The deepflow_page_url filter: the plugin edge over module_utils.deepflow._deepflow_pages.page_url."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.opsauth.tokens.plugins.filter.deepflow_page_url import FilterModule
from ansible_collections.opsauth.tokens.tests.unit.plugins.imports import http_stack, loaded_modules

BASE = 'https://deepflow.example.com'
ACCESS = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjE1NzE4MjMwNzB9.sig'


@pytest.fixture
def page_url():
    return FilterModule().filters()['deepflow_page_url']


@pytest.mark.parametrize('page, expected', [
    ('views', BASE + '/monitor/list?token=T&refreshToken=R'),
    ('applications', BASE + '/appPerformance/instance/index?token=T&refreshToken=R'),
    # Not the application path that DeepFlow's document repeats in its network example.
    ('network', BASE + '/platformOverview/instance/index?token=T&refreshToken=R'),
    ('/appPerformance/instance/index?noBack=true', BASE + '/appPerformance/instance/index?noBack=true&token=T&refreshToken=R'),
])
def test_each_page(page_url, page, expected):
    assert page_url(BASE, page=page, token='T', refresh_token='R') == expected


def test_default_page_is_views_and_permanent_token_has_no_refresh(page_url):
    assert page_url(BASE + '/', token='gAAAAB==') == BASE + '/monitor/list?token=gAAAAB%3D%3D'


def test_positional_page(page_url):
    assert page_url(BASE, 'network', token='T') == BASE + '/platformOverview/instance/index?token=T'


@pytest.mark.parametrize('url, kwargs, message', [
    (BASE, dict(page='dashboard', token='T'), "unknown DeepFlow page 'dashboard'"),
    (BASE, dict(page='monitor/list', token='T'), 'a path starting with /'),
    ('deepflow.example.com', dict(page='views', token='T'), 'is not an absolute http(s) URL'),
    ('//deepflow.example.com', dict(page='views', token='T'), 'is not an absolute http(s) URL'),
    ('https://[', dict(page='views', token='T'), 'is not an absolute http(s) URL'),
    ('https://deepflow.example.com:99999', dict(page='views', token='T'), 'is not an absolute http(s) URL'),
    (BASE, dict(page='//[/x', token='T'), 'not a valid URL path'),
    (None, dict(page='views', token='T'), 'the DeepFlow URL is empty'),
    (BASE, dict(page='views', token=''), 'token is empty'),
    (BASE, dict(page='views'), 'token is empty'),
])
def test_bad_input_is_one_clear_filter_error(page_url, url, kwargs, message):
    with pytest.raises(AnsibleFilterError) as caught:
        page_url(url, **kwargs)
    assert str(caught.value).startswith('opsauth.tokens.deepflow_page_url: [invalid_option] ')
    assert message in str(caught.value)
    assert '\n' not in str(caught.value)


def test_error_never_shows_a_token(page_url):
    with pytest.raises(AnsibleFilterError) as caught:
        page_url(BASE, ACCESS)  # the token given where the page goes
    assert ACCESS not in str(caught.value)


@pytest.mark.parametrize('token', [ACCESS, 'a1b2c3d4e5f6a7b8c9d0', 'xq9'])
def test_a_token_given_as_the_base_url_is_not_echoed(page_url, token):
    # The filter's input and its token argument swapped: the "URL" is the token, whatever its length.
    with pytest.raises(AnsibleFilterError) as caught:
        page_url(token, 'views', token=BASE)
    assert token not in str(caught.value)
    assert 'not an absolute http(s) URL' in str(caught.value)


def test_the_filter_builds_urls_without_the_http_client():
    # A filter runs in every templating worker: it needs the page rules, not requests or the DeepFlow client.
    modules = loaded_modules('from ansible_collections.opsauth.tokens.plugins.filter.deepflow_page_url import FilterModule\n'
                             'FilterModule().filters()["deepflow_page_url"]("https://d.example.com", "views", "T")')
    assert 'ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow_pages' in modules
    assert http_stack(modules) == []
    assert 'ansible_collections.opsauth.tokens.plugins.module_utils.deepflow._deepflow' not in modules
