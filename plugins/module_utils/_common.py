# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""What every part of the collection shares and that needs nothing but the standard library.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Why a module of its own: a lookup that answers from the token cache must not import ``requests`` (about 0.1 s in
every worker process, for every task and host). The base error and the transport defaults are needed by the cache,
the token files and the option specs; ``_http`` imports them from here and exports them as before.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# What the timeout, retries and max_response_size options (_options._transport_spec) default to, also for a client
# built without them. 8 MiB holds a full page of 1000 JumpServer users several times over.
DEFAULT_TIMEOUT = 30
DEFAULT_RETRIES = 3
DEFAULT_MAX_RESPONSE_SIZE = 8 * 1024 * 1024


class OpsAuthError(Exception):
    """Base of every error the collection raises; the message is one line meant for the user."""
