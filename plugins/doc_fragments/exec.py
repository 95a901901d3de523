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
      - How to reach the container - V(docker) or V(podman) C(exec -i) O(container); V(kubectl) C(exec -i) O(pod)
        (or O(pod_selector)). Not set runs the program on the target host itself. Secrets go on standard input only.
    type: str
    choices: [docker, podman, kubectl]
  container:
    description:
      - With O(runtime=docker) or O(runtime=podman), the name or id of the container (required).
      - With O(runtime=kubectl), the container inside the pod; the pod's default container when not set.
    type: str
  namespace:
    description:
      - With O(runtime=kubectl), the namespace of the pod; the context's namespace when not set.
    type: str
  pod:
    description:
      - With O(runtime=kubectl), the name of the pod. Give this or O(pod_selector).
    type: str
  pod_selector:
    description:
      - With O(runtime=kubectl), a label selector (for example V(app=front-end)) that finds a Running pod instead
        of O(pod), preferring one whose containers are all ready.
    type: str
  kubeconfig:
    description:
      - With O(runtime=kubectl), the kubeconfig file to use (C(--kubeconfig)); kubectl's own default when not set.
    type: path
  context:
    description:
      - With O(runtime=kubectl), the kubeconfig context to use (C(--context)); the current context when not set.
    type: str
  docker_binary:
    description:
      - The docker CLI, a full path or a name looked up on E(PATH).
    type: path
    default: docker
  podman_binary:
    description:
      - The podman CLI, a full path or a name looked up on E(PATH).
    type: path
    default: podman
  kubectl_binary:
    description:
      - The kubectl CLI, a full path or a name looked up on E(PATH).
    type: path
    default: kubectl
  exec_timeout:
    description:
      - Seconds the program in the container may take in all; it is stopped after that (or after 4 MiB of output)
        and the task fails.
    type: int
    default: 120
'''
