// Orders the placement of replicas of one contract: the next replica is judged only once the previous one is
// seen bound, so the contributor spread counts it. kube-scheduler binds asynchronously and the extender learns
// of a binding through its watch, which lags the next scheduling cycle by a few milliseconds.

export interface ReplicaGateOptions {
  /** How long a pod counts as being placed after the extender last passed nodes for it. */
  pendingForMs: number;
  /** The longest a request waits for earlier replicas before going ahead with what it knows. */
  maxWaitMs: number;
}

export const DEFAULT_REPLICA_GATE_OPTIONS: ReplicaGateOptions = { pendingForMs: 1000, maxWaitMs: 1000 };

export type GateOutcome = "clear" | "settled" | "timed-out";

export class ReplicaGate {
  /** contract key → pod UID → until when it counts as being placed (performance.now() ms). */
  private readonly pending = new Map<string, Map<string, number>>();
  private readonly contractOfPod = new Map<string, string>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly options: ReplicaGateOptions = DEFAULT_REPLICA_GATE_OPTIONS) {}

  /** The extender passed nodes for this pod: it is about to be bound somewhere. */
  markPending(contractKey: string, podUid: string): void {
    let pods = this.pending.get(contractKey);
    if (pods === undefined) {
      pods = new Map();
      this.pending.set(contractKey, pods);
    }
    pods.set(podUid, performance.now() + this.options.pendingForMs);
    this.contractOfPod.set(podUid, contractKey);
  }

  /** The pod was seen bound, finished or deleted. */
  settle(podUid: string): void {
    const contractKey = this.contractOfPod.get(podUid);
    if (contractKey === undefined) return;
    this.contractOfPod.delete(podUid);
    const pods = this.pending.get(contractKey);
    pods?.delete(podUid);
    if (pods?.size === 0) this.pending.delete(contractKey);
    for (const wake of [...(this.waiters.get(contractKey) ?? [])]) wake();
  }

  /** Waits until no other replica of the contract is being placed, or the wait limit passes. */
  async waitForOtherReplicas(contractKey: string, podUid: string): Promise<GateOutcome> {
    const deadline = performance.now() + this.options.maxWaitMs;
    let waited = false;
    for (;;) {
      const until = this.latestOtherPending(contractKey, podUid);
      if (until === undefined) return waited ? "settled" : "clear";
      const now = performance.now();
      if (now >= deadline) return "timed-out";
      waited = true;
      await this.sleepUntilChange(contractKey, Math.min(until, deadline) - now);
    }
  }

  /** Number of pods currently counted as being placed, for metrics and tests. */
  get pendingCount(): number {
    return this.contractOfPod.size;
  }

  private latestOtherPending(contractKey: string, podUid: string): number | undefined {
    const pods = this.pending.get(contractKey);
    if (pods === undefined) return undefined;
    const now = performance.now();
    let latest: number | undefined;
    for (const [uid, until] of pods) {
      if (until <= now) {
        pods.delete(uid);
        this.contractOfPod.delete(uid);
      } else if (uid !== podUid && (latest === undefined || until > latest)) {
        latest = until;
      }
    }
    if (pods.size === 0) this.pending.delete(contractKey);
    return latest;
  }

  private sleepUntilChange(contractKey: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.waiters.get(contractKey);
      if (waiters === undefined) {
        waiters = new Set();
        this.waiters.set(contractKey, waiters);
      }
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0) this.waiters.delete(contractKey);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(1, ms));
      waiters.add(wake);
    });
  }
}
