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

Two paths. A cache hit for options that already gave an answer in this run (``RunCache.answer``) is served by this
module and ``_cache_core`` alone: no ``requests``, no platform client, not even the rest of the cache, which is what
a lookup costs in every task and host. Everything else (the first evaluation, a refresh, a check, an error) imports
the client and takes the full path (``TokenCache.get``).

Ansible also parses a plugin's documentation in every worker process, to learn its options (about 8 ms for these,
with their doc fragments: as much as the rest of a cache hit together). ``preload_definitions`` lets a worker reuse
the definitions the first evaluation of the run parsed; see its docstring.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import re

from ansible import constants as C
from ansible.release import __version__ as ansible_version
from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.opsauth.tokens.plugins.plugin_utils._bytecode import load

# The other modules a cache hit needs, with their bytecode kept for the run (see _bytecode). _errors first: when
# _cache_core imports it, it is then already loaded, and its package is not imported through the collection loader.
OpsAuthError = load('ansible_collections.opsauth.tokens.plugins.module_utils._errors').OpsAuthError
_cache_core = load('ansible_collections.opsauth.tokens.plugins.plugin_utils._cache_core')
RunCache, read_json, run_directory = _cache_core.RunCache, _cache_core.read_json, _cache_core.run_directory

try:
    from ansible.template import is_trusted_as_template  # ansible-core 2.19 and later
except ImportError:  # earlier versions: every value goes through the templar (see _bare_reference)
    is_trusted_as_template = None

display = Display()
# Names that are not the play's variables in a template.
_NOT_VARIABLES = frozenset(('omit', 'true', 'false', 'none', 'True', 'False', 'None'))
# The lookups whose option definitions this process loaded from the run's cache (preload_definitions).
_PRELOADED = set()


def _bare_reference(value):
    """The variable name of a ``value`` that is exactly ``{{ name }}`` and that Ansible would template, else None.

    Only where the templar answers such a value with the variable's own value, templated, whatever its type
    (ansible-core 2.19 and later, native types); and only for a value trusted as a template (one that came from
    a playbook or an inventory, not from a fact or a registered result, which Ansible leaves as written).
    """
    if is_trusted_as_template is None or not isinstance(value, str) or not is_trusted_as_template(value):
        return None
    # Exactly "{{ name }}" (ansible_jms_url: "{{ jms_url }}", as the EXAMPLES write it). String methods, not a regular
    # expression: this module runs in every worker, and compiling one there costs more than all these calls.
    if not (value.startswith('{{') and value.endswith('}}')):
        return None
    name = value[2:-2].strip(' ')
    if not (name.isascii() and name.isidentifier()) or name in _NOT_VARIABLES:
        return None
    return name


def cache_from_options(get_option, cls=None):
    """The run's cache as the cache options say (``get_option``: a lookup's), or None with cache=false.

    ``cls``: RunCache (the default) for the fast path; _token_cache.TokenCache for everything else.
    """
    if not get_option('cache'):
        return None
    return (cls or RunCache)(run_directory(C.DEFAULT_LOCAL_TMP), cache_dir=get_option('cache_dir'),
                             min_ttl=get_option('min_ttl'), recheck_interval=get_option('recheck_interval'))


# --- option definitions ------------------------------------------------------------------------------------------------

def _definitions_path(module_name, path):
    """Where this run keeps the parsed option definitions of the plugin at ``path``; None when unknown."""
    try:
        info = os.stat(path)
    except (OSError, TypeError):
        return None
    # The plugin file and the Ansible version name the file: an edited plugin or another Ansible parses again.
    stamp = '%s:%s:%d:%d:%s' % (module_name, path, info.st_mtime_ns, info.st_size, ansible_version)
    return os.path.join(run_directory(C.DEFAULT_LOCAL_TMP),
                        'definitions-%s.json' % hashlib.sha256(stamp.encode('utf-8')).hexdigest()[:40])


def preload_definitions(module_name, path):
    """Give Ansible the option definitions of the lookup being loaded, if this run has parsed them already.

    Called when the lookup's module is executed: Ansible's plugin loader runs the module, then parses its
    DOCUMENTATION (with the doc fragments) only when ``C.config`` has no definitions for it yet. Those definitions
    are the same in every worker of a run, so the first evaluation keeps them (``keep_definitions``) in the run's
    private cache directory, and later workers load them from JSON instead of YAML. When anything is missing or
    different (no run directory yet, cache=false, another Ansible that loads plugins otherwise), Ansible parses the
    documentation as usual: nothing depends on this but the time.
    """
    try:
        stored = read_json(_definitions_path(module_name, path) or '')
        # The name Ansible files the definitions under (its _load_name of the plugin), as the first worker saw it.
        name = (stored or {}).get('name')
        if (isinstance(name, str) and isinstance(stored.get('options'), dict) and stored['options']
                and not C.config.has_configuration_definition('lookup', name)):
            C.config.initialize_plugin_configuration_definitions('lookup', name, stored['options'])
            _PRELOADED.add(module_name)
    except (AnsibleError, OSError, TypeError, ValueError):
        pass  # Ansible parses the documentation itself


def keep_definitions(module_name, path, name):
    """Keep the option definitions Ansible parsed for the lookup ``name``, for the later workers of the run."""
    if module_name in _PRELOADED:
        return
    target = _definitions_path(module_name, path)
    if target is None or os.path.exists(target):
        return
    from ansible_collections.opsauth.tokens.plugins.module_utils.files._token_file import TokenFileError, write_token_file

    options = C.config.get_configuration_definitions('lookup', name)
    if not options:
        return
    try:
        # JSON keeps what the definitions say (types, defaults, sources); plain strings are all they hold.
        write_token_file(target, {'name': name, 'options': json.loads(json.dumps(options, default=str))})
    except (TokenFileError, TypeError, ValueError):
        pass  # only the shortcut is lost


# What the lookup and the action plugins of one platform share, by the name of its plugin_utils/_token_sources
# function: the lookup whose cache options (cache, cache_dir, min_ttl, recheck_interval, with all their sources) the
# action plugins use, the option spec in module_utils/_options.py whose options are handed to the platform client, and
# which fields of a cache entry are secrets (an action plugin hands them to the module no_log).
PLATFORMS = {
    'jumpserver': dict(lookup='opsauth.tokens.jms_token', option_spec='JMS_COMMON_SPEC', secret_fields=('token',)),
    'deepflow': dict(lookup='opsauth.tokens.deepflow_token', option_spec='DEEPFLOW_FAUTHS_SPEC',
                     # access_token: the access token's name in an entry of a cache_dir written before docs/results.md
                     secret_fields=('token', 'refresh_token', 'access_token')),
}


def login_options(platform, get):
    """The options of ``platform``'s PLATFORMS option_spec, as its client takes them: a plain dict of ``get(name)``.

    The lookups and the action plugins both hand exactly these to the client, so the same options make the same cache
    key wherever they come from."""
    from ansible_collections.opsauth.tokens.plugins.module_utils import _options

    return dict((name, get(name)) for name in getattr(_options, PLATFORMS[platform]['option_spec']))


class OpsAuthLookupBase(LookupBase):
    """A lookup that returns a token. Subclasses set ``SOURCE`` and ``STABLE_OUTPUTS`` and implement ``render()``."""

    # The outputs that depend on the token and the options alone (not on the clock), so that a cache hit can return
    # what the same options returned before.
    STABLE_OUTPUTS = ()
    # The platform: the plugin_utils/_token_sources function that builds the cache key and the TokenSource, and its
    # PLATFORMS entry.
    SOURCE = None

    def run(self, terms, variables=None, **kwargs):
        results = []
        var_options = self._templated_var_options(variables)
        for direct in self._direct_options(terms, kwargs):
            try:
                self.set_options(var_options=var_options, direct=direct)
            except AnsibleError as exc:  # AnsibleOptionsError; ansible-core 2.16 raises a plain AnsibleError
                raise AnsibleLookupError(self._missing_option(exc) or '%s: [invalid_option] %s' % (self.ansible_name, exc))
            try:
                results.append(self._evaluate())
            except OpsAuthError as exc:
                # One line, the collection's own message (which never carries a secret); no traceback. [code] is its
                # error code (docs/errors.md): a task can test "'[password_failed]' in ansible_failed_result.msg".
                # An option the lookup cannot use is [invalid_option], as in a module.
                raise AnsibleLookupError('%s: [%s] %s' % (self.ansible_name, exc.code, exc))
        return results

    def _evaluate(self):
        output = self.get_option('output')
        if not (self.get_option('cache') and output in self.STABLE_OUTPUTS):
            return self._full_path(output, None)
        fast = cache_from_options(self.get_option)
        # Only options that passed check_output() and token_source() in this run have an answer.
        name = fast.answer_name(self.ansible_name, self.get_options(), output)
        value = self._answer(fast, name)
        if value is None:
            # The first task of a run asks on `forks` hosts at once: one of them takes the full path (client, check,
            # login), the others wait for its answer instead of each loading requests and the client for nothing.
            with fast.answering(name):
                value = self._answer(fast, name)
                if value is None:
                    value = self._full_path(output, name)
        return value

    def _answer(self, fast, name):
        value = fast.answer(name)
        if value is not None:
            keep_definitions(type(self).__module__, self._original_path, self._load_name)
            display.vvv('%s: reused the cached token (options already checked in this run)' % self.ansible_name)
        return value

    def _full_path(self, output, name):
        """Every check, the cache (or a login with cache=false), the rendering; keeps the answer ``name`` if given."""
        options = self.client_options()
        self._warn_insecure(options)
        self.check_output(options, output)
        key, source = self.token_source(options)
        cache = self.token_cache()
        result = self.obtain(key, source, cache)
        self.after_login(cache, source, result, options)
        value = self.render(result, options, output)
        if cache is not None:
            keep_definitions(type(self).__module__, self._original_path, self._load_name)
            if name is not None:
                cache.remember_answer(name, key, result, value)
        return value

    def _warn_insecure(self, options):
        """One Ansible warning for validate_certs=false (Display shows a message once); urllib3's own is silenced."""
        from ansible_collections.opsauth.tokens.plugins.module_utils.http._tls import URL_OPTIONS, insecure_warning

        message = insecure_warning([options.get(name) for name in URL_OPTIONS], options.get('validate_certs'))
        if message:
            display.warning('%s: %s' % (self.ansible_name, message))

    def check_output(self, options, output):
        """Refuse an ``output`` the options cannot give, before a login is wasted (no network)."""

    def token_source(self, options):
        """(cache key, TokenSource) for ``options``; checks them (no network). Imports the platform client."""
        from ansible_collections.opsauth.tokens.plugins.plugin_utils import _token_sources

        return getattr(_token_sources, self.SOURCE)(options)

    def render(self, result, options, output):
        """The lookup's answer for ``output`` out of a CacheResult."""
        raise NotImplementedError

    def after_login(self, cache, source, result, options):
        """Checks that need the token (none by default); ``cache`` is None with cache=false."""

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
        return dict((name, self._template_variable(variables, variables[name])) for name in names if name in variables)

    def _template_variable(self, variables, value, depth=0):
        """``self._templar.template(value)``, with ``{{ name }}`` answered by templating the value of ``name``.

        The two give the same result on ansible-core 2.19 and later (``_bare_reference`` says when), but a template
        costs about 0.7 ms there even when Jinja has compiled it before, a plain value 0.02 ms: a cache hit paid
        more for ``ansible_jms_url: "{{ jms_url }}"`` than for the cache read (benchmarks/README.md, lookup_cost).
        A name that is not a variable, a loop of references, any other template: the templar, which says why.
        """
        name = _bare_reference(value)
        if name is not None and name in variables and depth < 10:
            return self._template_variable(variables, variables[name], depth + 1)
        return self._templar.template(value)

    def _missing_option(self, exc):
        """Ansible's "Required config 'url' ... not provided", said with the option's sources (JMS_URL...), or None.

        ansible-core 2.16 words it "No setting was provided for required configuration ... setting: url".
        """
        match = re.search(r"Required config '(\w+)'|required configuration .*setting: (\w+)", str(exc))
        if not match:
            return None
        name = match.group(1) or match.group(2)
        sources = C.config.get_configuration_definitions('lookup', self._load_name).get(name) or {}
        where = ['the environment variable %s' % entry['name'] for entry in sources.get('env') or []]
        where += ['the variable %s' % entry['name'] for entry in sources.get('vars') or []]
        return ('%s: [invalid_option] %s is required: give %s=... in the lookup%s' % (
            self.ansible_name, name, name, ', or set %s' % ' or '.join(where) if where else ''))

    def _direct_options(self, terms, kwargs):
        """One set of direct options per term (``option=value`` words over the keyword arguments), or just kwargs."""
        if not terms:
            return [dict(kwargs)]
        return [dict(kwargs, **self.parse_term(term)) for term in terms]

    def parse_term(self, term):
        if not isinstance(term, str):
            raise AnsibleLookupError('%s: [invalid_option] a term must be a string of option=value words, got a %s'
                                     % (self.ansible_name, type(term).__name__))
        options = {}
        for position, word in enumerate(term.split(), start=1):
            name, sep, value = word.partition('=')
            if not sep or not name:
                # Do not echo the word: it may be a password passed without its name.
                raise AnsibleLookupError('%s: [invalid_option] word %d of the term is not option=value; give options as option=value '
                                         'words or as keyword arguments' % (self.ansible_name, position))
            options[name] = value
        return options

    def client_options(self):
        """The shared options as the platform clients take them: a plain dict, like module.params."""
        return login_options(self.SOURCE, self.get_option)

    # --- cache -------------------------------------------------------------------------------------------------------

    def token_cache(self):
        """The cache for this run, or None with cache=false.

        C.DEFAULT_LOCAL_TMP is the per-run directory ansible-playbook creates at start-up and removes at exit; the
        forks inherit its path, so it identifies the run for every process of it (see _token_cache's docstring).
        """
        from ansible_collections.opsauth.tokens.plugins.plugin_utils._token_cache import TokenCache

        return cache_from_options(self.get_option, TokenCache)

    def obtain(self, key, source, cache):
        """A CacheResult for ``key``: from the cache, or with cache=false straight from ``source.login()``."""
        if cache is None:
            from ansible_collections.opsauth.tokens.plugins.plugin_utils._token_cache import CacheResult

            data = source.login()
            result = CacheResult(data, 'login', source.expiry(data)[0])
        else:
            result = cache.get(key, source)
        display.vvv('%s: %s for %s at %s%s' % (self.ansible_name, result.describe(), key.identity, key.url,
                                               '' if cache else ' (cache disabled)'))
        return result
