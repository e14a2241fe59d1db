// What becomes of a PowerContainer's current pod, decided from facts alone (no I/O), so every branch is
// table-tested: keep it, retire it, wait for its lease, or move it off a node that failed it.

/** Why a placement is failing, as judgePlacement found it. */
export interface FailedPlacement {
  reason: string;
  message: string;
  /** When the failure began, clamped to the pod's start. */
  since: Date;
}

export interface PodFacts {
  /** The contract runs (phase Running, opened on chain). */
  contractRuns: boolean;
  /** The PowerContainer already ended (Succeeded or Failed). */
  finished: boolean;
  /** The pod carries the wanted spec hash. */
  specCurrent: boolean;
  podPhase: string | undefined;
  nodeName: string | undefined;
  /** Unscheduled, and one of the nodes it was made to avoid is healthy again. */
  shunsRecoveredNode: boolean;
  /** The node it runs on fails it (undefined when healthy or unscheduled). */
  failedPlacement: FailedPlacement | undefined;
  /** Its lease is on chain (or recorded on the pod): it ran there. */
  ran: boolean;
  /** How long it has run, in ms. */
  runningForMs: number;
  migrations: number;
  maxMigrations: number;
}

/** How long a running pod on a node it should leave waits for its lease to land before it moves anyway. */
export const LEASE_WAIT_MS = 10_000;

export type PodDecision =
  | { action: "keep" }
  | { action: "retire"; outcome: "completed" | "failed"; succeeded?: boolean; replaced?: boolean }
  | { action: "waitForLease" }
  | { action: "abandonPlacement"; force: boolean }
  | { action: "exhausted"; force: boolean }
  | { action: "migrate"; force: boolean };

export function decidePod(facts: PodFacts): PodDecision {
  if (!facts.contractRuns || facts.finished) return { action: "retire", outcome: "completed" };
  if (!facts.specCurrent) return { action: "retire", outcome: "completed", replaced: true };
  if (facts.podPhase === "Succeeded") return { action: "retire", outcome: "completed", succeeded: true };
  if (facts.podPhase === "Failed") return { action: "retire", outcome: "failed" };
  if (facts.nodeName === undefined)
    // Waiting while it shuns a node that has recovered: start over without that restriction.
    return facts.shunsRecoveredNode ? { action: "retire", outcome: "completed" } : { action: "keep" };
  const failed = facts.failedPlacement;
  if (failed === undefined) return { action: "keep" };
  const force = failed.reason === "NodeFailed";
  // Running on a node it should leave while its lease is being recorded: move once that is done, so the lease
  // ends as a migration rather than as a placement that never took.
  if (!facts.ran && !force && facts.podPhase === "Running" && facts.runningForMs < LEASE_WAIT_MS)
    return { action: "waitForLease" };
  // Never ran there: a placement that did not take, not a workload the contributor dropped.
  if (!facts.ran) return { action: "abandonPlacement", force };
  if (facts.migrations >= facts.maxMigrations) return { action: "exhausted", force };
  return { action: "migrate", force };
}
