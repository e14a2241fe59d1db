// Built-in kinds the operator and its runtime list, watch or write.
import type { ResourceType } from "./resource.js";

export const CONFIG_MAP: ResourceType = {
  apiVersion: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  namespaced: true,
};
export const SECRET: ResourceType = { apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true };
export const POD: ResourceType = { apiVersion: "v1", kind: "Pod", plural: "pods", namespaced: true };
export const NODE: ResourceType = { apiVersion: "v1", kind: "Node", plural: "nodes", namespaced: false };
export const NAMESPACE: ResourceType = {
  apiVersion: "v1",
  kind: "Namespace",
  plural: "namespaces",
  namespaced: false,
};
export const LEASE: ResourceType = {
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  plural: "leases",
  namespaced: true,
};
export const EVENT: ResourceType = {
  apiVersion: "events.k8s.io/v1",
  kind: "Event",
  plural: "events",
  namespaced: true,
};
export const CUSTOM_RESOURCE_DEFINITION: ResourceType = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  plural: "customresourcedefinitions",
  namespaced: false,
};
export const SERVICE: ResourceType = {
  apiVersion: "v1",
  kind: "Service",
  plural: "services",
  namespaced: true,
};
