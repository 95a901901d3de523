# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the collection's token lookups share: options from every source, terms, the token cache, errors.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice. Controller only.

A lookup subclass names its options and turns the token into its output; this base reads the options with
set_options/get_option only (so every source the documentation declares - terms, keyword arguments, variables,
environment, ansible.cfg - works the same way, and nothing is read by hand), asks the cache, and turns the
collection's errors into one-line AnsibleLookupErrors. Nothing here displays an option value: the -vvv lines name
the user and URL, never a password, token or secret.

Two paths. A cache hit for options that already gave an answer in this run (``TokenCache.answer``) is served by this
module and the cache alone: no ``requests``, no platform client, which is what a lookup costs in every task and host.
Everything else (the first evaluation, a refresh, a check, an error) imports the client and takes the full path.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.opsauth.tokens.plugins.module_utils._common import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.plugin_utils._token_cache import (
    CacheResult,
    TokenCache,
    run_directory,
)

display = Display()


def cache_from_options(get_option):
    """The run's TokenCache as the cache options say (``get_option``: a lookup's), or None with cache=false."""
    if not get_option('cache'):
        return None
    return TokenCache(run_directory(C.DEFAULT_LOCAL_TMP), cache_dir=get_option('cache_dir'),
                      min_ttl=get_option('min_ttl'), recheck_interval=get_option('recheck_interval'))

_HOW = {
    'cache': 'reused the cached token',
    'login': 'logged in',
    'refresh': 'refreshed the cached token',
}


class OpsAuthLookupBase(LookupBase):
    """A lookup that returns a token. Subclasses implement ``lookup_token()`` and set ``OPTION_NAMES``."""

    # The shared option names (from module_utils/_options.py) handed to the platform client.
    OPTION_NAMES = ()
    # The outputs that depend on the token and the options alone (not on the clock), so that a cache hit can return
    # what the same options returned before.
    STABLE_OUTPUTS = ()

    def run(self, terms, variables=None, **kwargs):
        results = []
        var_options = self._templated_var_options(variables)
        for direct in self._direct_options(terms, kwargs):
            self.set_options(var_options=var_options, direct=direct)
            try:
                results.append(self._evaluate())
            except OpsAuthError as exc:
                # One line, the collection's own message (which never carries a secret); no traceback.
                raise AnsibleLookupError('%s: %s' % (self.ansible_name, exc))
        return results

    def _evaluate(self):
        options = self.client_options()
        output = self.get_option('output')
        cache = self.token_cache()
        name = None
        if cache is not None and output in self.STABLE_OUTPUTS:
            # Only options that passed check_output() and token_source() in this run have an answer.
            name = cache.answer_name(self.ansible_name, options, output)
            value = cache.answer(name)
            if value is not None:
                display.vvv('%s: reused the cached token (options already checked in this run)' % self.ansible_name)
                return value
        self.check_output(options, output)
        key, source = self.token_source(options)
        result = self.obtain(key, source, cache)
        value = self.render(result, options, output)
        if name is not None:
            cache.remember_answer(name, key, result, value)
        return value

    def check_output(self, options, output):
        """Refuse an ``output`` the options cannot give, before a login is wasted (no network)."""

    def token_source(self, options):
        """(cache key, TokenSource) for ``options``; checks them (no network). Imports the platform client."""
        raise NotImplementedError

    def render(self, result, options, output):
        """The lookup's answer for ``output`` out of a CacheResult."""
        raise NotImplementedError

    # --- options -----------------------------------------------------------------------------------------------------

    def _templated_var_options(self, variables):
        """The variables that are sources of our options, templated.

        A lookup receives the play's variables raw: ``ansible_jms_url: "{{ jms_url }}"`` would reach the option as
        the string ``{{ jms_url }}`` (community.hashi_vault#434). ansible-core templates the variables of a
        connection plugin's options before handing them over; this does the same for exactly those variables, so
        nothing else is templated and the variables keep their laziness.
        """
        if not variables:
            return variables
        names = C.config.get_plugin_vars('lookup', self._load_name)
        return dict((name, self._templar.template(variables[name])) for name in names if name in variables)

    def _direct_options(self, terms, kwargs):
        """One set of direct options per term (``option=value`` words over the keyword arguments), or just kwargs."""
        if not terms:
            return [dict(kwargs)]
        return [dict(kwargs, **self.parse_term(term)) for term in terms]

    def parse_term(self, term):
        if not isinstance(term, str):
            raise AnsibleLookupError('%s: a term must be a string of option=value words, got a %s'
                                     % (self.ansible_name, type(term).__name__))
        options = {}
        for position, word in enumerate(term.split(), start=1):
            name, sep, value = word.partition('=')
            if not sep or not name:
                # Do not echo the word: it may be a password passed without its name.
                raise AnsibleLookupError('%s: word %d of the term is not option=value; give options as option=value '
                                         'words or as keyword arguments' % (self.ansible_name, position))
            options[name] = value
        return options

    def client_options(self):
        """The shared options as the platform clients take them: a plain dict, like module.params."""
        return dict((name, self.get_option(name)) for name in self.OPTION_NAMES)

    # --- cache -------------------------------------------------------------------------------------------------------

    def token_cache(self):
        """The cache for this run, or None with cache=false.

        C.DEFAULT_LOCAL_TMP is the per-run directory ansible-playbook creates at start-up and removes at exit; the
        forks inherit its path, so it identifies the run for every process of it (see _token_cache's docstring).
        """
        return cache_from_options(self.get_option)

    def obtain(self, key, source, cache):
        """A CacheResult for ``key``: from the cache, or with cache=false straight from ``source.login()``."""
        if cache is None:
            data = source.login()
            result = CacheResult(data, 'login', source.expiry(data)[0])
        else:
            result = cache.get(key, source)
        display.vvv('%s: %s for %s at %s%s' % (self.ansible_name, _HOW[result.source], key.identity, key.url,
                                               '' if cache else ' (cache disabled)'))
        return result
