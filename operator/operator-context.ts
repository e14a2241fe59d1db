// What every reconciler of the operator shares: the runtime, the chain, the SCU scale, the settings and the
// informer caches (with the indexes the reconcilers look things up by).
import type { V1NodeAffinity, V1NodeStatus, V1ObjectMeta, V1Pod, V1PodStatus } from "@kubernetes/client-node";
import { LABEL, type ComputeContract, type ContributorNode, type PowerContainer } from "../crds/types.js";
import type { ScuScale } from "../units/scu-scale.js";
import type { ChainGateway } from "./chain/chain-gateway.js";
import type { OperatorParams } from "./chain/chain-reader.js";
import type { OperatorSettings } from "./operator-settings.js";
import { NODE, POD } from "../kube-runtime/builtin-resources.js";
import type { Informer } from "../kube-runtime/informer.js";
import type { OperatorRuntime } from "../kube-runtime/operator-runtime.js";
import type { KubeObject } from "../kube-runtime/resource.js";
import { COMPUTE_CONTRACT, CONTRIBUTOR_NODE, POWER_CONTAINER } from "./uranus-resources.js";

/**
 * A Pod as the cache keeps it (slimPod): metadata, where it is bound, the node affinity it was made with (the nodes
 * it avoids), and its phase, conditions and start time. Not its containers, volumes, tolerations or container
 * statuses, most of a Pod's bytes, which no reconciler reads. Typed so, the compiler catches a reader of the rest.
 */
export interface KubePod {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  spec?: { nodeName?: string; affinity?: { nodeAffinity?: V1NodeAffinity } };
  status?: Pick<V1PodStatus, "phase" | "conditions" | "startTime">;
}

/** A Node as the cache keeps it (slimNode): metadata, conditions and allocatable resources; not images, addresses or info. */
export interface KubeNode {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  status?: Pick<V1NodeStatus, "conditions" | "allocatable">;
}

/** `from`'s fields among `names` that are present (a field absent stays absent, so cached copies compare equal). */
function pick<T extends object, K extends keyof T>(
  from: T | undefined,
  names: readonly K[],
): Pick<T, K> | undefined {
  const value: unknown = from; // from the wire: may be anything
  if (typeof value !== "object" || value === null) return undefined;
  const source = value as T;
  const picked: Partial<Pick<T, K>> = {};
  for (const name of names) if (source[name] !== undefined) picked[name] = source[name];
  return picked as Pick<T, K>;
}

/** What the Pod informer keeps; never throws (a decoder that threw would end the watch and relist forever). */
export function slimPod(object: KubeObject): KubePod {
  const pod = object as V1Pod & { metadata: V1ObjectMeta };
  const spec: NonNullable<KubePod["spec"]> = {};
  if (pod.spec?.nodeName !== undefined) spec.nodeName = pod.spec.nodeName;
  const nodeAffinity = pod.spec?.affinity?.nodeAffinity;
  if (nodeAffinity !== undefined) spec.affinity = { nodeAffinity };
  const slim: KubePod = { apiVersion: pod.apiVersion, kind: pod.kind, metadata: pod.metadata, spec };
  const status = pick(pod.status, ["phase", "conditions", "startTime"] as const);
  if (status !== undefined) slim.status = status;
  return slim;
}

/** What the Node informer keeps; never throws. */
export function slimNode(object: KubeObject): KubeNode {
  const node = object as KubeNode;
  const slim: KubeNode = { apiVersion: node.apiVersion, kind: node.kind, metadata: node.metadata };
  const status = pick(node.status, ["conditions", "allocatable"] as const);
  if (status !== undefined) slim.status = status;
  return slim;
}

export const INDEX = {
  /** ContributorNodes by spec.nodeName. */
  byNodeName: "nodeName",
  /** Pods and PowerContainers by "namespace/contract". */
  byContract: "contract",
  /** Pods by "namespace/powercontainer". */
  byPowerContainer: "powerContainer",
} as const;

export interface OperatorInformers {
  contributorNodes: Informer<ContributorNode>;
  nodes: Informer<KubeNode>;
  contracts: Informer<ComputeContract>;
  powerContainers: Informer<PowerContainer>;
  pods: Informer<KubePod>;
}

export interface OperatorContext {
  runtime: OperatorRuntime;
  chain: ChainGateway;
  scale: ScuScale;
  params: OperatorParams;
  settings: OperatorSettings;
  informers: OperatorInformers;
  now: () => Date;
}

function labelledKey(label: string) {
  return (object: { metadata: V1ObjectMeta }): string[] => {
    const value = object.metadata.labels?.[label];
    return value === undefined ? [] : [`${object.metadata.namespace ?? ""}/${value}`];
  };
}

export function createInformers(runtime: OperatorRuntime, settings: OperatorSettings): OperatorInformers {
  const namespace = settings.watchNamespace;
  const contributorNodes = runtime.informer<ContributorNode>(CONTRIBUTOR_NODE, {
    labelSelector: settings.contributorSelector,
  });
  contributorNodes.store.addIndexer(INDEX.byNodeName, (cn) => [cn.spec.nodeName]);
  const powerContainers = runtime.informer<PowerContainer>(POWER_CONTAINER, { namespace });
  powerContainers.store.addIndexer(INDEX.byContract, labelledKey(LABEL.contract));
  const pods = runtime.informer(POD, { namespace, labelSelector: LABEL.powerContainer }, { keep: slimPod });
  pods.store.addIndexer(INDEX.byContract, labelledKey(LABEL.contract));
  pods.store.addIndexer(INDEX.byPowerContainer, labelledKey(LABEL.powerContainer));
  pods.store.addIndexer(INDEX.byNodeName, (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []));
  return {
    contributorNodes,
    nodes: runtime.informer(NODE, {}, { keep: slimNode }),
    contracts: runtime.informer<ComputeContract>(COMPUTE_CONTRACT, { namespace }),
    powerContainers,
    pods,
  };
}
