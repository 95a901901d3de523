#!/usr/bin/env python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write a default fake world for the fakes of tests/harness/fakes (TEST/DEMO ONLY) and print its path.

Usage: fake_world.py ENDPOINTS_JSON OUT_FILE   (ENDPOINTS_JSON: what tests/simulators/run.py start wrote)

The world: a running docker container ``jms_core`` and a Kubernetes pod ``jms-core-0`` (namespace ``default``, the
official Helm chart's labels), both backed by the JumpServer simulator; and a ``front-end`` pod (namespace ``deepflow``,
label ``app=front-end``) whose curl reaches the DeepFlow simulator as ``fuser:20824`` and ``fauths:20822``.
Point OPSAUTH_FAKE_STATE at the file it writes.
"""
from __future__ import annotations

import json
import os
import sys

JMS_CORE_LABELS = {'app.kubernetes.io/name': 'jumpserver', 'app.jumpserver.org/name': 'jms-core'}


def world(endpoints):
    jms = endpoints['jms_url']
    hosts = {'fuser:20824': endpoints['deepflow_fuser_url'], 'fauths:20822': endpoints['deepflow_fauths_url']}
    return {
        'delay': 0,
        'containers': {'jms_core': {'status': 'running', 'root': 'jms_core', 'jms_url': jms}},
        'kubernetes': {
            'contexts': ['kind-opsauth'], 'current_context': 'kind-opsauth',
            'pods': [
                {'name': 'jms-core-0', 'namespace': 'default', 'labels': JMS_CORE_LABELS, 'containers': ['core'],
                 'root': 'jms_core', 'jms_url': jms},
                {'name': 'front-end-6c9d7b8f5-abcde', 'namespace': 'deepflow', 'labels': {'app': 'front-end'},
                 'containers': ['front-end'], 'root': 'front_end', 'hosts': hosts},
            ],
        },
    }


def main(endpoints_file, out_file):
    with open(endpoints_file, encoding='utf-8') as handle:
        endpoints = json.load(handle)
    fd = os.open(out_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        json.dump(world(endpoints), handle, indent=2)
    print(os.path.abspath(out_file))


if __name__ == '__main__':
    main(*sys.argv[1:3])
