// Nodes the chain refused to lease a replica on. They live on the PowerContainer's status because the refused pod
// is deleted, and a kube-scheduler that does not call our extender would place its replacement there again.
import {
  FIELD_MANAGER,
  MAX_REJECTED_NODES,
  type PowerContainer,
  type RejectedNode,
} from "../../crds/types.js";
import { conditionTime } from "../../kube-runtime/conditions.js";
import type { KubeClient } from "../../kube-runtime/kube-client.js";
import { writeStatus } from "../../kube-runtime/status.js";
import { POWER_CONTAINER } from "../uranus-resources.js";

/** How long a refused node is avoided: its price, its PoC or the payer's terms may change meanwhile. */
export const REJECTION_MEMORY_MS = 15 * 60_000;

function current(rejection: RejectedNode, now: Date): boolean {
  return now.getTime() - Date.parse(rejection.time) < REJECTION_MEMORY_MS;
}

/** The list with `node` added (or moved to the end), expired entries dropped, and at most the newest few kept. */
export function withRejection(
  list: readonly RejectedNode[] | undefined,
  node: string,
  message: string,
  now: Date,
): RejectedNode[] {
  const kept = (list ?? []).filter((entry) => entry.node !== node && current(entry, now));
  return [...kept, { node, message, time: conditionTime(now) }].slice(-MAX_REJECTED_NODES);
}

/** The nodes a new pod of this replica must avoid because the chain refused them recently. */
export function rejectedNodes(pc: PowerContainer, now: Date): string[] {
  return (pc.status?.rejectedNodes ?? []).filter((entry) => current(entry, now)).map((entry) => entry.node);
}

/**
 * The nodes recently refused for any replica of one contract, each once: what makes the chain refuse a node (its
 * price, PoC, region, capacity, or a spread contract already there) holds for the contract's other replicas too.
 */
export function contractRejectedNodes(replicas: readonly PowerContainer[], now: Date): string[] {
  return [...new Set(replicas.flatMap((pc) => rejectedNodes(pc, now)))];
}

/** Writes the refusal onto the PowerContainer, onto a fresh read if another writer got there first. */
export async function rememberRejection(
  client: KubeClient,
  pc: PowerContainer,
  node: string,
  message: string,
  now: Date,
): Promise<void> {
  const changes = (base: PowerContainer) => ({
    rejectedNodes: withRejection(base.status?.rejectedNodes, node, message.slice(0, 1024), now),
  });
  await writeStatus(client, POWER_CONTAINER, pc, {
    changes: changes(pc),
    conditions: [],
    now,
    fieldManager: FIELD_MANAGER,
    rebase: changes,
  });
}
