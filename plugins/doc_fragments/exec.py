# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # Where an in-container job runs. Matches _options.EXEC_SPEC exactly.
    DOCUMENTATION = r'''
options:
  runtime:
    description:
      - Run in O(container) or O(pod) with this CLI's C(exec -i) (not set - on the target). Secrets go on stdin.
    type: str
    choices: [docker, podman, kubectl]
  container:
    description: The container (with kubectl, optional).
    type: str
  namespace:
    description: With kubectl, the pod's namespace.
    type: str
  pod:
    description: With kubectl, the pod (or give O(pod_selector)).
    type: str
  pod_selector:
    description: With kubectl, a label selector that finds a Running pod.
    type: str
  kubeconfig:
    description: With kubectl, the kubeconfig file (C(--kubeconfig)).
    type: path
  context:
    description: With kubectl, the kubeconfig context (C(--context)).
    type: str
  docker_binary:
    description: The docker CLI, a path or a name on E(PATH).
    type: path
    default: docker
  podman_binary:
    description: The podman CLI, a path or a name on E(PATH).
    type: path
    default: podman
  kubectl_binary:
    description: The kubectl CLI, a path or a name on E(PATH).
    type: path
    default: kubectl
  exec_timeout:
    description: Seconds the program may take (output capped at 4 MiB).
    type: int
    default: 120
'''
