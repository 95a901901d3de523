# -*- coding: utf-8 -*-
# Copyright (c) opsauth.tokens contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The options' default values, constants only: read by the option specs and by the components that use them.

FOR INTERNAL COLLECTION USE ONLY: this module may change without notice.

Why a file of its own: the specs (_options.py) need the defaults, and a spec that imported them from the clients
would ship every platform's client in every module's payload. So the defaults live here, with no import at all, and
the components (_transport, _jumpserver, _deepflow, _exec) import them from here as the specs do.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# Transport (_transport.py): what timeout, retries and max_response_size default to, also for a client built
# without them. 8 MiB holds a full page of 1000 JumpServer users several times over.
DEFAULT_TIMEOUT = 30
DEFAULT_RETRIES = 3
DEFAULT_MAX_RESPONSE_SIZE = 8 * 1024 * 1024

# JumpServer (_jumpserver.py): the Default organisation, what a request without X-JMS-ORG acts on (org_id's default).
DEFAULT_ORG_ID = '00000000-0000-0000-0000-000000000002'
# JumpServer translates msg/detail by Accept-Language (v3.10 defaults to Chinese, v4 to English): one language for
# every client, so the server's words quoted in our messages are predictable. Errors are matched on codes only.
DEFAULT_JMS_LANGUAGE = 'en'

# DeepFlow (_deepflow.py): fuser (permanent tokens) is internal only, reached inside the cluster.
DEFAULT_FUSER_URL = 'http://fuser:20824'

# Exec (_exec.py): how long a command in a container may run (the exec_timeout option's default).
DEFAULT_EXEC_TIMEOUT = 120

# Caps of a paginated read (jms_request paginate): JumpServer serves at most 1000 items a page, so the defaults allow
# 100000 items, more than any list a task should pull in one go, and bound the memory and the requests a typo costs.
DEFAULT_MAX_PAGES = 100
DEFAULT_MAX_ITEMS = 100000

# Where the JumpServer code lives in the jms_core container (jms_private_token apps_dir).
DEFAULT_APPS_DIR = '/opt/jumpserver/apps'

# DeepFlow 6.6 moved this path once already: the permanent-token module lets users override it.
PERMANENT_TOKEN_PATH = '/v1/user/permanent_token'
