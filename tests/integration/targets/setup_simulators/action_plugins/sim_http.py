# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One call to a simulator's control API (/_sim/), made on the controller: the part of ansible.builtin.uri the
setup_simulators tasks used, without a module process. The targets drive the simulators about 500 times a run, and a
uri module process cost about a fifth of a second of CPU each (make test's integration lanes, issue 20).

Arguments: url, method (default GET, or POST with a body), body (sent as JSON), status_code (default 200), ca_path.
Returns what uri returned for these calls: url, status, and json (or content when the answer is not JSON).
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
from urllib.error import HTTPError, URLError

from ansible.module_utils.urls import open_url
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('url', 'method', 'body', 'status_code', 'ca_path'))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        url, body = args['url'], args.get('body')
        method = args.get('method') or ('GET' if body is None else 'POST')
        data = body if body is None or isinstance(body, str) else json.dumps(body)
        try:
            # The simulators listen on loopback: a proxy of the environment must not carry these calls.
            answer = open_url(url, method=method, data=data, headers={'Content-Type': 'application/json'},
                              ca_path=args.get('ca_path'), use_proxy=False, timeout=30)
        except HTTPError as exc:
            answer = exc
        except URLError as exc:
            return dict(result, failed=True, url=url, msg='the simulator did not answer: %s' % exc.reason)
        status, content = answer.getcode(), answer.read().decode('utf-8', 'replace')
        result.update(url=url, status=status, changed=False)
        try:
            result['json'] = json.loads(content)
        except ValueError:
            result['content'] = content
        expected = int(args.get('status_code', 200))
        if status != expected:
            result.update(failed=True, msg='Status code was %s and not [%s]' % (status, expected))
        return result
