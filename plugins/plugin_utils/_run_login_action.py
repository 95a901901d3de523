# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The modules' action plugins: a module that logs in with a password uses the run's login, from the lookups' cache.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice. Controller only.

Why an action plugin: a module runs in its own process, on the target, for every task and host; it cannot see what
other hosts did. Ansible runs a module's action plugin on the controller first, in a worker of the same
``ansible-playbook`` run, where the lookups' token cache (``_token_cache``) lives. So the action plugin obtains the
token there (one login per run and identity, however many hosts and forks: the cache's lock) and hands it to the module
in the hidden arguments ``_run_login`` (the secrets) and ``_run_login_info`` (the rest; ``module_utils/_run_login_handover.py``, which
takes them out of the module's parameters before validation, so they are in no argument spec and no documentation),
through Ansible's normal module transfer, which works for any connection. The module then skips its own login; everything else (the request, ``dest``, the
result) stays the module's. The guide is docs/token-cache.md, "The modules share the run's login".

The options are the module's own: the plugin resolves them with the module's argument spec through the same
function the module uses (module_utils/_resolve.py), with the environment the module will see - the controller's
environment plus the task's ``environment:`` keyword - so credentials, TLS settings and endpoints from the environment
mean here exactly what they mean to the module. It can know that environment only when the module runs on the
controller (a local connection, ``delegate_to: localhost``, without become); elsewhere it does not log in on the
module's behalf and says why at -v.

When the plugin does nothing and the module logs in itself, exactly as before: check mode (a login is a POST that
counts toward the lockout), ``async``, ``cache=false`` (the task's option or the lookups' setting), an unusable cache
directory (a warning says why), a module that does not run on the controller, options that are not a password login,
and options the module would refuse (an unknown or misspelt option included: it reports them in its own words,
before any login).
A login the server refuses fails the task with the server's answer and is remembered for the run, as in the lookups:
never sent twice. A 401 for the run's token (the server dropped it) drops the cache entry once for all forks, logs in
once and runs the module again, once: the 401 means the server did not act on the request.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import os

from ansible import constants as C
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.plugins.loader import lookup_loader
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.opsauth.tokens.plugins.module_utils._errors import OpsAuthError
from ansible_collections.opsauth.tokens.plugins.module_utils._resolve import resolve
from ansible_collections.opsauth.tokens.plugins.module_utils._run_login_handover import (
    RUN_LOGIN,
    RUN_LOGIN_INFO,
    RUN_LOGIN_REJECTED,
    RUN_LOGIN_WANTED,
)
from ansible_collections.opsauth.tokens.plugins.plugin_utils._cache_core import CacheError
from ansible_collections.opsauth.tokens.plugins.plugin_utils._lookup_base import PLATFORMS, cache_from_options, login_options

display = Display()


class SharedLogin:
    """One identity's token in the run's cache: obtain it, or report that the server rejected it.

    ``options``: the platform's login options of the task (its PLATFORMS option_spec), all the cache key depends on.
    Every task of a run asks for a token, and the cache key and its TokenSource need the platform client (and so
    ``requests``, about 60 ms of a worker's CPU). So, as in the lookups (``_lookup_base``), the first task that gets
    a token for these options keeps an answer (``RunCache.answer_entry``: the identity and URL for the -vvv line,
    next to the entry) and later tasks read the token through it with ``_cache_core`` alone; any doubt (a failure
    remembered, an entry replaced or due for its check) takes the full path, ``TokenCache.get``.
    """

    def __init__(self, cache, platform, options):
        self.cache = cache
        self.platform = platform
        self.options = options
        self.name = cache.answer_name('run-login', platform, options)
        self.identity = self.url = None
        self._key = self._source = None
        self._found = None  # the answer check() read, for the obtain() that follows it

    def check(self):
        """Raise OpsAuthError for options the module would refuse (no network); nothing to do when they have an
        answer in this run, since they passed this check then."""
        self._found = self.cache.answer_entry(self.name)
        if self._found is None:
            self._key_and_source()

    def obtain(self):
        found, self._found = self._found or self.cache.answer_entry(self.name), None
        if found is None:
            # The first task of a run asks on `forks` hosts at once: one takes the full path, the others its answer.
            with self.cache.answering(self.name):
                found = self.cache.answer_entry(self.name)
                if found is None:
                    return self._full_path()
        from ansible_collections.opsauth.tokens.plugins.plugin_utils._token_cache import CacheResult

        (self.identity, self.url), entry = found
        return CacheResult(dict(entry['data']), 'cache', entry.get('expires_at'), entry['obtained_at'])

    def rejected(self, data):
        self.cache.reject(self._key_and_source()[0], data)

    def _full_path(self):
        key, source = self._key_and_source()
        result = self.cache.get(key, source)
        self.cache.remember_answer(self.name, key, result, [key.identity, key.url])
        return result

    def _key_and_source(self):
        if self._key is None:
            from ansible_collections.opsauth.tokens.plugins.plugin_utils import _token_sources

            self._key, self._source = getattr(_token_sources, self.platform)(self.options)
            self.identity, self.url = self._key.identity, self._key.url
        return self._key, self._source


class RunLoginAction(ActionBase):
    """Run the module with the run's login. Subclasses name the platform, when the module logs in and what it needs."""

    _supports_check_mode = True
    _supports_async = True

    # The platform: the _token_sources function that builds the key and the source, and its PLATFORMS entry.
    SOURCE = None
    # The fields of the cache entry the module needs (None: all of them).
    MODULE_FIELDS = None
    # The states in which the module logs in with a password (None: every state).
    LOGIN_STATES = None
    # The options with which the module may need no login at all (a stored token, a refresh token): it is asked first.
    ASK_FIRST_WITH = ()
    # Whether the module logs in in check mode too (a read-only module does): then the run's login is used there too.
    LOGIN_IN_CHECK_MODE = False

    def run(self, tmp=None, task_vars=None):
        result = super(RunLoginAction, self).run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        task_vars = task_vars or {}
        # self._task.args already holds the module_defaults (the action groups included): what the module would get.
        args = dict((name, value) for name, value in self._task.args.items() if name not in (RUN_LOGIN, RUN_LOGIN_INFO))
        wrap_async = self._task.async_val and not self._connection.has_native_async
        shared, params = None, None
        check_mode = self._play_context.check_mode and not self.LOGIN_IN_CHECK_MODE
        if not check_mode and not wrap_async and self.may_log_in(args):
            shared, params = self._shared_login(args, task_vars)
        try:
            answer = self._run_module(args, shared, params, task_vars, wrap_async)
        except OpsAuthError as exc:
            # The run's login failed (refused, remembered, unreachable): what the module would have said.
            answer = dict(exc.failure(), failed=True)
        finally:
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
        return merge_hash(result, answer)

    # --- what a subclass says ------------------------------------------------------------------------------------------

    def may_log_in(self, args):
        """Whether the module may log in for these task arguments (its state), wherever its credentials come from."""
        return self.LOGIN_STATES is None or (args.get('state') or 'present') in self.LOGIN_STATES

    @staticmethod
    def uses_password(params):
        """Whether the module logs in with a password, for its resolved options."""
        return bool(params.get('password'))

    def hand_over(self, params):
        """'token' to hand the token over at once; 'wanted' when the module may not need a login (a stored token)."""
        return 'wanted' if any(params.get(name) for name in self.ASK_FIRST_WITH) else 'token'

    # --- the run's login ---------------------------------------------------------------------------------------------

    def _shared_login(self, args, task_vars):
        """(SharedLogin, the module's resolved options), or (None, None) when the module should log in itself."""
        resolved, elsewhere = self.resolve_task(args)
        if resolved is None:
            display.v("%s: the run's login is not used: %s; the module logs in itself" % (self._task.action, elsewhere))
            return None, None
        if resolved.errors:
            return None, None  # the module refuses them itself, in its own words, before any login
        for line in resolved.describe_ignored():
            display.v('%s: %s' % (self._task.action, line))
        params = resolved.params
        if not self.uses_password(params):
            return None, None
        if params.get('cache') is False:
            display.vvv("%s: cache=false: the module logs in itself" % self._task.action)
            return None, None
        try:
            cache = self._cache(task_vars)
        except CacheError as exc:
            display.warning("%s: the run's token cache cannot be used (%s); the module logs in itself"
                            % (self._task.action, exc))
            return None, None
        if cache is None:
            return None, None
        # The login options alone, as the lookups hand them to the platform client: a lookup and a module with the
        # same options share one cache entry, and tasks that differ in anything else share one answer.
        shared = SharedLogin(cache, self.SOURCE, login_options(self.SOURCE, params.get))
        try:
            shared.check()
        except OpsAuthError:
            return None, None  # options the module refuses: it says so itself, before any request
        return shared, params

    def resolve_task(self, args):
        """(the module's options as the module will resolve them, None), or (None, why they cannot be known here)."""
        environ, elsewhere = self._module_environment()
        if environ is None:
            return None, elsewhere
        spec, rules = self._module_spec()
        return resolve(spec, args, environ, **rules), None

    def _module_spec(self):
        """The module's argument spec and the checks beside it (ARGUMENT_RULES), from the module itself."""
        module = importlib.import_module(type(self).__module__.replace('.plugins.action.', '.plugins.modules.'))
        return module.ARGUMENT_SPEC, getattr(module, 'ARGUMENT_RULES', {})

    def _module_environment(self):
        """(the environment the module will run in, None), or (None, why the controller cannot know it).

        On the controller the module inherits this worker's environment, plus the task's ``environment:`` keyword
        (ActionBase computes it as it does for the module's command line). Anywhere else, or as another user (become),
        the module's environment may hold credentials, endpoints or TLS settings the controller cannot see.
        """
        if self._connection.transport != 'local':
            where = (self._play_context.remote_addr, self._connection.transport)
            return None, ('the module runs on %s over %s, in an environment the controller cannot see (it may hold '
                          'credentials, endpoints or TLS settings)' % where)
        if self._play_context.become:
            return None, 'the module runs with become, as a user whose environment the controller cannot see'
        keyword = {}
        self._compute_environment_string(keyword)
        environ = dict(os.environ)
        environ.update((to_text(name), to_text(value)) for name, value in keyword.items())
        return environ, None

    def _cache(self, task_vars):
        """The run's TokenCache with the options of the lookup (and their sources); None with cache=false."""
        from ansible_collections.opsauth.tokens.plugins.plugin_utils._token_cache import TokenCache

        lookup = lookup_loader.get(PLATFORMS[self.SOURCE]['lookup'], loader=self._loader, templar=self._templar)
        # Only the cache options' variables (opsauth_tokens_*): the login options are the task's arguments.
        names = [name for name in C.config.get_plugin_vars('lookup', lookup._load_name)
                 if name.startswith('opsauth_tokens_') and name in task_vars]
        variables = dict((name, self._templar.template(task_vars[name])) for name in names)

        def get_option(name):
            # Not lookup.set_options(): that would insist on the lookup's required options (url), which are not ours.
            return C.config.get_config_value(name, plugin_type='lookup', plugin_name=lookup._load_name,
                                             variables=variables)

        return cache_from_options(get_option, TokenCache)

    def _run_module(self, args, shared, params, task_vars, wrap_async):
        if shared is None:
            return self._execute_module(module_args=args, task_vars=task_vars, wrap_async=wrap_async)
        warnings = []
        if self.hand_over(params) == 'wanted':
            answer = self._execute_module(module_args=dict(args, **{RUN_LOGIN_INFO: {'wanted': True}}), task_vars=task_vars)
            if not answer.pop(RUN_LOGIN_WANTED, False):
                return self._clean(answer)
            # What the module found before it asked (a refused refresh token, say) stays part of the task's story.
            warnings = answer.get('warnings') or []
        handed = self._obtain(shared)
        answer = self._execute_module(module_args=dict(args, **self._payload(handed)), task_vars=task_vars)
        if warnings:
            answer['warnings'] = warnings + [w for w in answer.get('warnings') or [] if w not in warnings]
        if answer.pop(RUN_LOGIN_REJECTED, False):
            # The server dropped the run's token (a restart of JumpServer's Redis does): once for all forks, drop it and
            # log in again; then run the module again, once. A 401 means the server did not act on the request.
            display.vvv('%s: the server rejected the run\'s token for %s at %s (HTTP 401)'
                        % (self._task.action, shared.identity, shared.url))
            shared.rejected(handed.data)
            handed = self._obtain(shared)
            answer = self._execute_module(module_args=dict(args, **self._payload(handed)), task_vars=task_vars)
            answer.pop(RUN_LOGIN_REJECTED, None)
        return self._clean(answer)

    def _obtain(self, shared):
        result = shared.obtain()
        display.vvv("%s: %s for %s at %s (the run's login)"
                    % (self._task.action, result.describe("the run's token"), shared.identity, shared.url))
        return result

    def _payload(self, result):
        """The module arguments that hand ``result`` over: the secrets no_log, the rest (never more than the module
        needs) in the clear, so that the module does not mask them in its result."""
        data = dict((name, value) for name, value in result.data.items()
                    if self.MODULE_FIELDS is None or name in self.MODULE_FIELDS)
        secrets = dict((name, data.pop(name)) for name in PLATFORMS[self.SOURCE]['secret_fields'] if data.get(name))
        return {RUN_LOGIN: secrets, RUN_LOGIN_INFO: {'data': data, 'reused': result.hit}}

    @staticmethod
    def _clean(answer):
        answer.pop(RUN_LOGIN_WANTED, None)
        answer.pop(RUN_LOGIN_REJECTED, None)
        # The module masks the no_log option anyway; the user never set it, so it is not shown at all.
        module_args = (answer.get('invocation') or {}).get('module_args', {})
        module_args.pop(RUN_LOGIN, None)
        module_args.pop(RUN_LOGIN_INFO, None)
        return answer
