// What every reconciler of the operator shares: the runtime, the chain, the SCU scale, the settings and the
// informer caches (with the indexes the reconcilers look things up by).
import type { V1Node, V1ObjectMeta, V1Pod } from "@kubernetes/client-node";
import { LABEL, type ComputeContract, type ContributorNode, type PowerContainer } from "../crds/types.js";
import type { ScuScale } from "./capacity/scu-scale.js";
import type { ChainGateway } from "./chain/chain-gateway.js";
import type { OperatorParams } from "./chain/chain-reader.js";
import type { OperatorSettings } from "./operator-settings.js";
import { NODE, POD } from "./runtime/builtin-resources.js";
import type { Informer } from "./runtime/informer.js";
import type { OperatorRuntime } from "./runtime/operator-runtime.js";
import { COMPUTE_CONTRACT, CONTRIBUTOR_NODE, POWER_CONTAINER } from "./uranus-resources.js";

export type KubePod = V1Pod & { metadata: V1ObjectMeta };
export type KubeNode = V1Node & { metadata: V1ObjectMeta };

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
  const pods = runtime.informer<KubePod>(POD, { namespace, labelSelector: LABEL.powerContainer });
  pods.store.addIndexer(INDEX.byContract, labelledKey(LABEL.contract));
  pods.store.addIndexer(INDEX.byPowerContainer, labelledKey(LABEL.powerContainer));
  pods.store.addIndexer(INDEX.byNodeName, (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []));
  return {
    contributorNodes,
    nodes: runtime.informer<KubeNode>(NODE),
    contracts: runtime.informer<ComputeContract>(COMPUTE_CONTRACT, { namespace }),
    powerContainers,
    pods,
  };
}
