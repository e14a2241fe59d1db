// The PowerContainer controller: its reconciler, the pods it owns, and what can move a replica: its node's health,
// the node's contributor going offline, and its contract's phase.
import { LABEL, type PowerContainer } from "../../crds/types.js";
import type { Controller } from "../../kube-runtime/controller.js";
import { keyOf, objectKey, type ObjectKey } from "../../kube-runtime/resource.js";
import { INDEX, type OperatorContext } from "../operator-context.js";
import { nodeChanged, onlineStatus, owning, watching } from "../watch-sources.js";
import { MigrationMetrics } from "./migration-metrics.js";
import { PowerContainerReconciler } from "./power-container-reconciler.js";

/** How long a PowerContainer waits after its pod changed before it looks (a fraction of the 30 s recovery SLA). */
const POD_EVENTS_DELAY_MS = 300;

export function setupPowerContainerController(ctx: OperatorContext): Controller<PowerContainer> {
  const pcKeysOnNode = (nodeName: string): ObjectKey[] => {
    const keys = new Set<string>();
    for (const pod of ctx.informers.pods.store.byIndex(INDEX.byNodeName, nodeName)) {
      const pc = pod.metadata.labels?.[LABEL.powerContainer];
      if (pc !== undefined) keys.add(keyOf({ namespace: pod.metadata.namespace, name: pc }));
    }
    return [...keys];
  };
  const pcReconciler = new PowerContainerReconciler(ctx, new MigrationMetrics(ctx.runtime.metrics.registry));
  return ctx.runtime.controller<PowerContainer>({
    name: "powercontainer",
    for: ctx.informers.powerContainers,
    workers: ctx.settings.workers,
    // A new pod's binding, start and lease annotation arrive close together: one reconcile and status write for them.
    owns: [owning({ informer: ctx.informers.pods, delayMs: POD_EVENTS_DELAY_MS })],
    watches: [
      watching({
        informer: ctx.informers.nodes,
        map: (node) => pcKeysOnNode(node.metadata.name!),
        predicate: nodeChanged,
      }),
      watching({
        informer: ctx.informers.contributorNodes,
        map: (cn) => pcKeysOnNode(cn.spec.nodeName),
        predicate: (previous, current) => onlineStatus(previous) !== onlineStatus(current),
      }),
      watching({
        informer: ctx.informers.contracts,
        map: (contract) =>
          ctx.informers.powerContainers.store
            .byIndex(INDEX.byContract, `${contract.metadata.namespace}/${contract.metadata.name}`)
            .map(objectKey),
        predicate: (previous, current) =>
          previous.status?.phase !== current.status?.phase ||
          previous.status?.contractId !== current.status?.contractId,
      }),
    ],
    reconcile: (key, rc) => pcReconciler.reconcile(key, rc),
  });
}
