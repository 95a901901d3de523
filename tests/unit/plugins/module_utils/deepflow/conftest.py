# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the DeepFlow tests share: a frozen clock, JWTs, the OPT_STATUS envelope and a login answer.

The tests import the helpers (ansible-test imports this file as
ansible_collections.opsauth.tokens.tests.unit.plugins.module_utils.deepflow.conftest, so the import finds the same module).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils.deepflow import _deepflow as df

NOW = 1700000000


def jwt(claims):
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip('=')
    return '%s.%s.%s' % (part({'typ': 'JWT', 'alg': 'HS256'}), part(claims), 'c2lnbmF0dXJl')


def envelope(data, status='SUCCESS', description=''):
    return {'OPT_STATUS': status, 'DATA': data, 'DESCRIPTION': description}


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(df, 'now', lambda: NOW)


def login_data(**extra):
    data = dict(access_token=jwt({'exp': NOW + 3600}), refresh_token=jwt({'exp': NOW + 30 * 86400}), expires_in=3600,
                token_type='password', email='dev@yunshan.net.cn', license=True)
    data.update(extra)
    return data
