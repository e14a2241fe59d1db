// The ContributorNode controller: its reconciler and what it watches (its Node's readiness and resources, and the
// pods placed there, whose allocation its status shows).
import type { ContributorNode } from "../../crds/types.js";
import type { Controller } from "../../kube-runtime/controller.js";
import { objectKey } from "../../kube-runtime/resource.js";
import type { Logger } from "../../observability/logger.js";
import { INDEX, type OperatorContext } from "../operator-context.js";
import { nodeChanged, watching } from "../watch-sources.js";
import { ContributorNodeReconciler } from "./contributor-node-reconciler.js";
import { isFinished } from "./allocated-scu.js";
import { POD_ANNOTATION } from "../power-container/pod-keys.js";
import { JailedOwners } from "./jailed-owners.js";
import { NodeHeartbeats } from "./node-heartbeats.js";

/** Chain events that change what a ContributorNode shows: naming its node, or its owner as a validator operator. */
const CHAIN_NODE_EVENTS = [
  "node_online",
  "node_offline",
  "node_updated",
  "node_deregistered",
  "lease_ended",
  "sla_breach",
  "contributor_rated",
  "validator_jailed",
  "validator_unjailed",
];

/** How long a ContributorNode waits after a pod of its node changed before it shows the new allocation. */
const POD_ALLOCATION_DELAY_MS = 1_000;
/** A block's results can be served before the app has committed its state: read a moment after the event. */
const CHAIN_EVENT_DELAY_MS = 1_000;

export interface ContributorNodeController {
  controller: Controller<ContributorNode>;
  /** The heartbeat loop of the nodes it registers: started and stopped with the operator. */
  heartbeats: NodeHeartbeats;
}

export function setupContributorNodeController(
  ctx: OperatorContext,
  logger: Logger,
): ContributorNodeController {
  // The loop reports nodes back online, or refused, on their ContributorNode, and has it show them again.
  const heartbeats: NodeHeartbeats = new NodeHeartbeats(ctx, {
    changed(cnKey, nodeId, outcome) {
      const cn = ctx.informers.contributorNodes.store.get(cnKey);
      if (cn === undefined) return;
      if ("online" in outcome) {
        ctx.runtime.events.record(cn, {
          type: "Normal",
          reason: "Online",
          action: "Heartbeat",
          note: `node ${nodeId} is online on chain again`,
        });
        controller.enqueue(cnKey);
      } else
        ctx.runtime.events.record(cn, {
          type: "Warning",
          reason: "HeartbeatFailed",
          action: "Heartbeat",
          note: outcome.failure,
        });
    },
  });
  const jailed = new JailedOwners(ctx.chain.reader, ctx.settings.heartbeatIntervalMs, logger);
  const contributorReconciler = new ContributorNodeReconciler(ctx, jailed, heartbeats);
  const controller = ctx.runtime.controller<ContributorNode>({
    name: "contributornode",
    for: ctx.informers.contributorNodes,
    workers: ctx.settings.workers,
    watches: [
      watching({
        informer: ctx.informers.nodes,
        map: (node) =>
          ctx.informers.contributorNodes.store.byIndex(INDEX.byNodeName, node.metadata.name!).map(objectKey),
        predicate: nodeChanged,
      }),
      watching({
        informer: ctx.informers.pods,
        map: (pod) =>
          pod.spec?.nodeName === undefined
            ? []
            : ctx.informers.contributorNodes.store
                .byIndex(INDEX.byNodeName, pod.spec.nodeName)
                .map(objectKey),
        // Only what changes allocatedScu: a pod landing, finishing, being retired or deleted (not Pending → Running).
        predicate: (previous, current) =>
          previous.spec?.nodeName !== current.spec?.nodeName ||
          isFinished(previous) !== isFinished(current) ||
          previous.metadata.annotations?.[POD_ANNOTATION.retiredAt] !==
            current.metadata.annotations?.[POD_ANNOTATION.retiredAt] ||
          previous.metadata.deletionTimestamp !== current.metadata.deletionTimestamp,
        // Allocation is shown, not enforced (the extender counts pods itself): pods arriving together make one update.
        delayMs: POD_ALLOCATION_DELAY_MS,
      }),
    ],
    reconcile: (key, rc) => contributorReconciler.reconcile(key, rc),
  });
  // What the chain decides on its own about a node or its owner is shown at once, not at the next periodic refresh.
  ctx.chain.watcher.onEvents(CHAIN_NODE_EVENTS, (event) => {
    const nodeId = event.attributes.node;
    if (nodeId !== undefined) {
      for (const cn of ctx.informers.contributorNodes.store.byIndex(INDEX.byNodeName, nodeId))
        controller.enqueue(objectKey(cn), CHAIN_EVENT_DELAY_MS);
      return;
    }
    const owner = event.attributes.operator?.toLowerCase();
    jailed.forget();
    for (const cn of ctx.informers.contributorNodes.store.list())
      if (cn.spec.owner.toLowerCase() === owner) controller.enqueue(objectKey(cn), CHAIN_EVENT_DELAY_MS);
  });
  // A block whose events were lost may have decided anything about any node: all are read again.
  ctx.chain.watcher.onGap(() => {
    jailed.forget();
    for (const cn of ctx.informers.contributorNodes.store.list()) controller.enqueue(objectKey(cn));
  });
  return { controller, heartbeats };
}
