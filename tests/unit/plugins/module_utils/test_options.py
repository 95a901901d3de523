# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_options assembles the specs from what the components own."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.opsauth.tokens.plugins.module_utils import _options
from ansible_collections.opsauth.tokens.plugins.module_utils.exec._exec import ExecTarget


def test_generate_argspec_merges_the_shared_specs_and_the_modules_own_options():
    spec = _options.generate_argspec(_options.TOKEN_FILE_SPEC, min_ttl=dict(type='int'))
    assert sorted(spec) == ['dest', 'min_ttl']


def test_an_option_declared_twice_is_refused_by_name():
    with pytest.raises(ValueError, match='declared twice: dest'):
        _options.generate_argspec(_options.TOKEN_FILE_SPEC, dest=dict(type='str'))


def test_the_exec_spec_declares_exactly_what_the_exec_target_takes():
    # ExecTarget.from_params reads ExecTarget.OPTIONS out of module.params: a spec option it ignored would do nothing.
    assert sorted(_options.EXEC_SPEC) == sorted(ExecTarget.OPTIONS)
    target = ExecTarget.from_params(dict(runtime='docker', container='c', exec_timeout=7, unrelated='x'))
    assert (target.runtime, target.container, target.exec_timeout) == ('docker', 'c', 7)
