// Retiring a pod: the moment and outcome written on it (which the lease and metering read), then its deletion; its
// finalizer keeps it until its lease is ended and billed to that moment.
import { FIELD_MANAGER } from "../../crds/types.js";
import { POD } from "../../kube-runtime/builtin-resources.js";
import type { KubeClient } from "../../kube-runtime/kube-client.js";
import type { BreachKind } from "../chain/breach-recorder.js";
import type { KubePod } from "../operator-context.js";
import { POD_ANNOTATION, type LeaseOutcome } from "./pod-keys.js";

export function isRetired(pod: KubePod): boolean {
  return (
    pod.metadata.deletionTimestamp !== undefined ||
    pod.metadata.annotations?.[POD_ANNOTATION.retiredAt] !== undefined
  );
}

export function unixSeconds(time: Date): number {
  return Math.floor(time.getTime() / 1000);
}

export interface Retirement {
  outcome: LeaseOutcome;
  since: Date;
  /** The node failed the replica: the replacement avoids it and a breach is owed. */
  failedNode?: string;
  /** The node's pod must be removed at once, without a grace period. */
  force?: boolean;
  /** An SLA breach is owed by the failed node (default when a node failed). */
  breach?: boolean;
  /** Which breach: availability unless given (migrations once the SLA's maxMigrations were used). */
  breachKind?: BreachKind;
}

/**
 * Marks the pod retired at `since` (guarded by its resourceVersion, so a stale cache cannot move the moment),
 * then deletes it; its finalizer keeps it until its lease is ended and billed.
 */
export async function retirePod(client: KubeClient, pod: KubePod, retirement: Retirement): Promise<void> {
  const annotations: Record<string, string> = {
    [POD_ANNOTATION.retiredAt]: String(unixSeconds(retirement.since)),
    [POD_ANNOTATION.outcome]: retirement.outcome,
  };
  if (retirement.failedNode !== undefined) {
    annotations[POD_ANNOTATION.avoidNode] = retirement.failedNode;
    if (retirement.breach !== false) {
      annotations[POD_ANNOTATION.breachNode] = retirement.failedNode;
      if (retirement.breachKind !== undefined) annotations[POD_ANNOTATION.breachKind] = retirement.breachKind;
    }
  }
  const name = { namespace: pod.metadata.namespace, name: pod.metadata.name! };
  await client.mergePatch(
    POD,
    name,
    { metadata: { annotations, resourceVersion: pod.metadata.resourceVersion } },
    { fieldManager: FIELD_MANAGER },
  );
  await client.delete(POD, name, retirement.force === true ? { gracePeriodSeconds: 0 } : {});
}
