// SCU held on a node by PowerContainer pods that still count: bound to it, not retired, not finished.
import type { OperatorContext } from "../operator-context.js";
import { INDEX } from "../operator-context.js";
import { POD_ANNOTATION } from "../power-container/pod-keys.js";

/** A pod in a phase it never leaves: its resources are free again. */
export function isFinished(pod: { status?: { phase?: string } }): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

export function allocatedScu(ctx: OperatorContext, nodeName: string): number {
  let total = 0;
  for (const pod of ctx.informers.pods.store.byIndex(INDEX.byNodeName, nodeName)) {
    const annotations = pod.metadata.annotations ?? {};
    if (pod.metadata.deletionTimestamp !== undefined || annotations[POD_ANNOTATION.retiredAt] !== undefined)
      continue;
    if (isFinished(pod)) continue;
    const scu = Number(annotations[POD_ANNOTATION.scu] ?? "0");
    if (Number.isSafeInteger(scu) && scu > 0) total += scu;
  }
  return total;
}
