// The three uranus.io kinds as the operator runtime addresses them.
import { API_VERSION, KIND, PLURAL } from "../crds/types.js";
import type { ResourceType } from "../kube-runtime/resource.js";

export const CONTRIBUTOR_NODE: ResourceType = {
  apiVersion: API_VERSION,
  kind: KIND.ContributorNode,
  plural: PLURAL.ContributorNode,
  namespaced: false,
};

export const COMPUTE_CONTRACT: ResourceType = {
  apiVersion: API_VERSION,
  kind: KIND.ComputeContract,
  plural: PLURAL.ComputeContract,
  namespaced: true,
};

export const POWER_CONTAINER: ResourceType = {
  apiVersion: API_VERSION,
  kind: KIND.PowerContainer,
  plural: PLURAL.PowerContainer,
  namespaced: true,
};
