// Built-in kinds the operator and its runtime list, watch or write.
import type { ResourceType } from "./resource.js";

const namespaced = (apiVersion: string, kind: string, plural: string): ResourceType => ({
  apiVersion,
  kind,
  plural,
  namespaced: true,
});
const clusterScoped = (apiVersion: string, kind: string, plural: string): ResourceType => ({
  apiVersion,
  kind,
  plural,
  namespaced: false,
});

export const CONFIG_MAP = namespaced("v1", "ConfigMap", "configmaps");
export const SECRET = namespaced("v1", "Secret", "secrets");
export const POD = namespaced("v1", "Pod", "pods");
export const SERVICE = namespaced("v1", "Service", "services");
export const ENDPOINT_SLICE = namespaced("discovery.k8s.io/v1", "EndpointSlice", "endpointslices");
export const LEASE = namespaced("coordination.k8s.io/v1", "Lease", "leases");
export const EVENT = namespaced("events.k8s.io/v1", "Event", "events");
export const NODE = clusterScoped("v1", "Node", "nodes");
export const NAMESPACE = clusterScoped("v1", "Namespace", "namespaces");
export const CUSTOM_RESOURCE_DEFINITION = clusterScoped(
  "apiextensions.k8s.io/v1",
  "CustomResourceDefinition",
  "customresourcedefinitions",
);
export const NETWORK_POLICY = namespaced("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies");
export const RESOURCE_QUOTA = namespaced("v1", "ResourceQuota", "resourcequotas");
