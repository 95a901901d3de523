# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 17: every module with a ``dest`` refuses a symbolic link there, and touches no dest in check mode.

Before: reading ``dest`` followed a link and chmod-ed the link's target to 0600, in check mode too. The modules run
for real against the simulators (in-process, real HTTP); the link points at a file another program owns (mode 0644).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

import pytest

from ansible_collections.opsauth.tokens.plugins.modules import (
    deepflow_login,
    deepflow_permanent_token,
    jms_access_key,
    jms_token,
)

JMS = dict(username='alice', password='Alice-Pass-1')
DF_LOGIN = dict(email='dev@yunshan.net.cn', password='dev-pwd')
DF_FUSER = dict(email='ops@example.com', password='Ops-Pass-1')


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def module_args(name, jms, df, dest, **extra):
    base = {'jms_token': dict(JMS, url=jms.url), 'jms_access_key': dict(JMS, url=jms.url),
            'deepflow_login': dict(DF_LOGIN, url=df.url), 'deepflow_permanent_token': dict(DF_FUSER, fuser_url=df.fuser_url)}
    return dict(base[name], dest=dest, **extra)


MODULES = {'jms_token': jms_token, 'jms_access_key': jms_access_key, 'deepflow_login': deepflow_login,
           'deepflow_permanent_token': deepflow_permanent_token}


@pytest.fixture
def linked(jms, df, run_module, tmp_path):
    """``make(name)``: a token file written by the module, made 0644, and dest.json, a symbolic link to it."""

    def make(name):
        real = str(tmp_path / 'real.json')
        first = run_module(MODULES[name], module_args(name, jms, df, real))
        assert not first.get('failed'), first
        os.chmod(real, 0o644)
        with open(real) as handle:
            content = handle.read()
        link = str(tmp_path / 'dest.json')
        os.symlink(real, link)
        jms.clear_log()
        df.clear_log()
        return real, link, content
    return make


def untouched(real, link, content):
    assert os.path.islink(link) and mode_of(real) == 0o644
    with open(real) as handle:
        assert handle.read() == content


def sent(jms, df):
    return [(r['method'], r['path']) for r in jms.requests()] + [(m, p) for m, p, s in df.log()]


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
@pytest.mark.parametrize('name', sorted(MODULES))
def test_a_symlinked_dest_is_refused_and_its_target_never_touched(jms, df, run_module, linked, name, check_mode,
                                                                  monkeypatch):
    from ansible.module_utils.basic import AnsibleModule
    warnings = []  # recorded at the source: where a warning ends up depends on what the test process imported
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))
    real, link, content = linked(name)
    result = run_module(MODULES[name], module_args(name, jms, df, link), check_mode=check_mode)
    text = json.dumps(result) + json.dumps(warnings)
    assert 'is a symbolic link' in text and 'point dest at the file itself' in text
    untouched(real, link, content)
    # Nothing that creates, replaces or deletes a credential was sent (a look-up or a check at most).
    assert [item for item in sent(jms, df) if item[0] in ('DELETE', 'PATCH')] == []
    assert ('POST', '/api/v1/authentication/auth/') not in sent(jms, df) or name == 'jms_access_key'
    if name != 'deepflow_permanent_token':  # that one keeps working without dest's key, with a warning (below)
        assert result['failed']


def test_a_symlinked_dest_is_refused_before_a_permanent_token_is_rotated(jms, df, run_module, linked):
    real, link, content = linked('deepflow_permanent_token')
    result = run_module(deepflow_permanent_token, module_args('deepflow_permanent_token', jms, df, link, state='rotated'))
    assert result['failed'] and 'is a symbolic link' in result['msg']
    untouched(real, link, content)
    assert [item for item in df.log() if item[0] in ('DELETE', 'POST')] == []


@pytest.mark.parametrize('name', sorted(MODULES))
def test_check_mode_never_touches_dest_and_says_what_would_change(jms, df, run_module, tmp_path, name, monkeypatch):
    # Where a warning ends up depends on what else the test process imported (the result, or the controller's
    # display), so record it at the source.
    from ansible.module_utils.basic import AnsibleModule
    warnings = []
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))
    dest = str(tmp_path / 'token.json')
    run_module(MODULES[name], module_args(name, jms, df, dest))
    os.chmod(dest, 0o644)
    before = os.stat(dest)
    result = run_module(MODULES[name], module_args(name, jms, df, dest), check_mode=True)
    after = os.stat(dest)
    assert mode_of(dest) == 0o644 and (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
    assert result['changed'] is True and not result.get('failed')
    assert 'would be changed to 0600 (check mode: not changed)' in json.dumps(warnings)
