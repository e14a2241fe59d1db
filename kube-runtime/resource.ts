// What the runtime needs to know about a kind to list, watch and patch it, core and custom alike.
import type { KubernetesObject, V1ObjectMeta } from "@kubernetes/client-node";

export interface ResourceType {
  /** "v1" for the core group, "<group>/<version>" otherwise. */
  apiVersion: string;
  kind: string;
  /** Lower-case plural as it appears in URLs, e.g. "configmaps". */
  plural: string;
  namespaced: boolean;
}

/** Object metadata as JSON carries it (timestamps are strings); client-node's Date-typed metadata still fits. */
export type KubeObjectMeta = Omit<V1ObjectMeta, "creationTimestamp" | "deletionTimestamp"> & {
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
};

/** A Kubernetes object as the apiserver sends it: plain JSON, metadata always present. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KubeObjectMeta;
}

/** Identifies one object: "namespace/name" for namespaced kinds, "name" for cluster-scoped ones. */
export type ObjectKey = string;

export interface ObjectName {
  namespace?: string;
  name: string;
}

export function keyOf(name: ObjectName): ObjectKey {
  return name.namespace === undefined || name.namespace === "" ? name.name : `${name.namespace}/${name.name}`;
}

export function objectKey(object: KubernetesObject | KubeObject): ObjectKey {
  const name = object.metadata?.name;
  if (name === undefined || name === "") throw new Error(`${object.kind ?? "object"} has no metadata.name`);
  return keyOf({ namespace: object.metadata?.namespace, name });
}

export function parseKey(key: ObjectKey): ObjectName {
  const parts = key.split("/");
  if (parts.length === 1 && parts[0] !== "") return { name: parts[0]! };
  if (parts.length === 2 && parts[0] !== "" && parts[1] !== "")
    return { namespace: parts[0], name: parts[1]! };
  throw new Error(`object key "${key}" is neither "name" nor "namespace/name"`);
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

function apiRoot(resource: ResourceType): string {
  return resource.apiVersion.includes("/") ? `/apis/${resource.apiVersion}` : `/api/${resource.apiVersion}`;
}

/** The collection URL path; across all namespaces when a namespaced kind is given no namespace. */
export function collectionPath(resource: ResourceType, namespace?: string): string {
  if (resource.namespaced && namespace !== undefined && namespace !== "") {
    return `${apiRoot(resource)}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`;
  }
  return `${apiRoot(resource)}/${resource.plural}`;
}

export function objectPath(resource: ResourceType, name: ObjectName, subresource?: string): string {
  if (resource.namespaced && (name.namespace === undefined || name.namespace === "")) {
    throw new Error(`${resource.kind} is namespaced: "${name.name}" needs a namespace`);
  }
  if (!resource.namespaced && name.namespace !== undefined && name.namespace !== "") {
    throw new Error(
      `${resource.kind} is cluster-scoped: "${name.namespace}/${name.name}" must not name a namespace`,
    );
  }
  const base = `${collectionPath(resource, name.namespace)}/${encodeURIComponent(name.name)}`;
  return subresource === undefined ? base : `${base}/${subresource}`;
}

export function describeResource(resource: ResourceType): string {
  const group = groupOf(resource.apiVersion);
  return group === "" ? resource.plural : `${resource.plural}.${group}`;
}
