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
      - How to reach the container the job must run in.
      - V(docker) and V(podman) run C(<binary> exec -i CONTAINER ...) with O(container).
      - V(kubectl) runs C(kubectl [--kubeconfig K] [--context C] [-n NAMESPACE] exec -i POD [-c CONTAINER] -- ...)
        with O(pod) or O(pod_selector).
      - Not set means run the program directly on the target host, for a task that is already delegated into the
        container or runs on a host where the platform is installed.
      - The program's input, secrets included, always goes on its standard input, never on a command line.
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
      - With O(runtime=kubectl), a label selector (for example V(app=front-end)) that finds the pod instead of O(pod).
      - The pod is found with C(kubectl get pods -l SELECTOR -o json); a pod in phase Running that is not being deleted is
        used, preferring one whose containers are all ready. The task fails when no pod matching it is Running.
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
      - Seconds to wait for the program in the container to finish; it is stopped after that and the task fails.
        One deadline for the whole run (writing its input, reading its output, its exit), not for each read.
      - A program that prints more than 4 MiB on its standard output or on its standard error is stopped too, and
        the task fails with a message that says so.
    type: int
    default: 120
'''
