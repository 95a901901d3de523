# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugin_utils/_lookup_base.py: the option variables a lookup templates (the rest of the base is tested through the
lookups, tests/unit/plugins/lookup/, and through the cache, test_token_cache.py and test_cache_core.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19: every string is a template; the shortcut is off there
    trust_as_template = None

needs_trust = pytest.mark.skipif(trust_as_template is None, reason='ansible-core < 2.19 has no trusted templates')

URL = 'http://127.0.0.1:8080'


def lookup_and_templar(variables):
    loader = DataLoader()
    templar = Templar(loader=loader, variables=variables)
    return lookup_loader.get('opsauth.tokens.jms_token', loader=loader, templar=templar), templar


def outcome(template, value):
    """What templating ``value`` gives: ('value', result) or ('error', the exception's type, what its message says
    before the first colon: Python's own words after it, in a recursion error, depend on the depth of the stack)."""
    try:
        return 'value', template(value)
    except AnsibleError as exc:
        return 'error', type(exc).__name__, str(exc).split(':', maxsplit=1)[0]


def trusted(value):
    return trust_as_template(value) if trust_as_template and isinstance(value, str) else value


def plays_variables():
    return dict((name, trusted(value)) for name, value in dict(
        jms_url=URL, base='http://127.0.0.1', port=8443, port_url='{{ base }}:{{ port }}', alias='{{ jms_url }}',
        chain='{{ alias }}', names=['a', 'b'], flag=True, loop_a='{{ loop_b }}', loop_b='{{ loop_a }}',
        the_word_true='{{ true }}').items())


@pytest.mark.parametrize('value', [
    '{{ jms_url }}', '{{jms_url}}', '{{ port }}', '{{ names }}', '{{ flag }}', '{{ port_url }}', '{{ chain }}',
    '{{ jms_url }}/api', '{{ jms_url | upper }}', '{{ undefined_name }}', '{{ loop_a }}', '{{ the_word_true }}',
    '{{ omit }}', 'http://plain', 42, '{{ jms_url }} {{ port }}', '{{  port  }}', '{{ jms_url }}}', '{{}}',
])
def test_a_variable_is_templated_as_ansible_templates_it(value):
    variables = plays_variables()
    variables['omit'] = '__omit_place_holder__test'
    lookup, templar = lookup_and_templar(variables)
    value = trusted(value)
    assert outcome(lambda v: lookup._template_variable(variables, v), value) == outcome(templar.template, value)


@needs_trust
def test_an_untrusted_reference_is_left_as_written_as_ansible_leaves_it():
    # A registered result or a fact is not trusted as a template: Ansible returns it as written, so must we.
    variables = dict(plays_variables(), from_a_fact='{{ jms_url }}')
    lookup, templar = lookup_and_templar(variables)
    assert lookup._template_variable(variables, variables['from_a_fact']) == '{{ jms_url }}'
    assert templar.template(variables['from_a_fact']) == '{{ jms_url }}'


@needs_trust
def test_a_bare_reference_reaches_the_templar_only_with_the_referenced_value(monkeypatch):
    variables = plays_variables()
    lookup = lookup_and_templar(variables)[0]
    seen = []
    original = lookup._templar.template
    monkeypatch.setattr(lookup._templar, 'template', lambda value, **kwargs: seen.append(value) or original(value))
    assert lookup._templated_var_options(dict(variables, ansible_jms_url=variables['chain'])) == {
        'ansible_jms_url': URL}
    # chain -> alias -> jms_url: one call, with the plain URL (a plain value costs the templar no Jinja compile)
    assert seen == [URL]
