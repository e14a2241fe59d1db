// What the informers keep of each Pod and ContributorNode: only the fields the extender reads, so that thousands
// of objects (managedFields, images, env, probes …) do not sit in the heap and lengthen every garbage collection.
// Both never throw: a decoder that threw would end the watch and relist forever.
import { LABEL, type ContributorNode } from "../crds/types.js";
import type { KubeObject } from "../kube-runtime/resource.js";
import type { PodResources, ResourceList } from "../units/pod-scu.js";
import type { PodLike } from "./pod-terms.js";

export type SlimPod = PodLike & KubeObject;
export type SlimContributorNode = ContributorNode & KubeObject;

type Loose = Record<string, unknown> | undefined;

function record(value: unknown): Loose {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function slimMetadata(object: KubeObject): KubeObject["metadata"] {
  const metadata = record(object.metadata);
  return {
    name: text(metadata?.name),
    namespace: text(metadata?.namespace),
    uid: text(metadata?.uid),
    resourceVersion: text(metadata?.resourceVersion),
  };
}

function slimContainers(value: unknown): PodResources["containers"] {
  if (!Array.isArray(value)) return undefined;
  return value.map((container) => {
    const resources = record(record(container)?.resources);
    return {
      resources: {
        requests: record(resources?.requests) as ResourceList | undefined,
        limits: record(resources?.limits) as ResourceList | undefined,
      },
    };
  });
}

export function slimPod(object: KubeObject): SlimPod {
  const pod = object as KubeObject & { spec?: unknown; status?: unknown };
  const contract = text(record(record(pod.metadata)?.labels)?.[LABEL.contract]);
  const spec = record(pod.spec);
  return {
    metadata: {
      ...slimMetadata(object),
      labels: contract === undefined ? {} : { [LABEL.contract]: contract },
    },
    spec: {
      nodeName: text(spec?.nodeName),
      containers: slimContainers(spec?.containers),
      initContainers: slimContainers(spec?.initContainers),
      overhead: record(spec?.overhead) as ResourceList | undefined,
    },
    status: { phase: text(record(pod.status)?.phase) },
  };
}

/** Keeps spec and the status fields placement reads; drops managedFields, annotations and the rest of metadata. */
export function slimContributorNode(object: KubeObject): SlimContributorNode {
  const node = object as SlimContributorNode;
  const status = record(node.status) as SlimContributorNode["status"];
  return {
    apiVersion: node.apiVersion,
    kind: node.kind,
    metadata: slimMetadata(object),
    spec: node.spec,
    status:
      status === undefined
        ? undefined
        : {
            capacitySCU: status.capacitySCU,
            allocatedSCU: status.allocatedSCU,
            poc: status.poc,
            conditions: status.conditions,
          },
  } as SlimContributorNode;
}
