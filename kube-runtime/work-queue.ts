// A keyed work queue in the manner of client-go's: a key waits at most once, a key being processed is never
// handed to a second worker (re-adds are parked until it is done), with per-key exponential requeue and delays.
import type { OperatorMetrics } from "../observability/metrics.js";
import { backoffDelay, type BackoffOptions } from "./backoff.js";

export interface WorkQueueOptions {
  /** The queue's name in metrics (controller-runtime uses the controller name). */
  name: string;
  /** The controller label in metrics; the queue name when omitted. */
  controller?: string;
  /** Per-key requeue delays: initial × 2^failures, capped. */
  rateLimit?: BackoffOptions;
  metrics?: OperatorMetrics;
}

export const DEFAULT_REQUEUE_BACKOFF: BackoffOptions = { initialMs: 5, maxMs: 300_000, jitter: 0 };

export class WorkQueue {
  /** Keys ready to be handed out, oldest first; `head` skips handed-out entries without shifting the array. */
  private ready: string[] = [];
  private head = 0;
  /** Keys that need processing: ready ones, plus processing ones re-added meanwhile. */
  private readonly dirty = new Set<string>();
  /** key → when processing started (ms, performance clock) */
  private readonly processing = new Map<string, number>();
  /** key → when it was first added while not ready (ms), for queue-duration metrics */
  private readonly addedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly getters: ((key: string | undefined) => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private shuttingDown = false;
  private readonly labels: { name: string; controller: string };
  private readonly untrack: () => void;

  constructor(private readonly options: WorkQueueOptions) {
    this.labels = { name: options.name, controller: options.controller ?? options.name };
    this.untrack =
      options.metrics?.trackInFlight(this.labels, () => {
        const now = performance.now();
        let unfinished = 0;
        let longest = 0;
        for (const started of this.processing.values()) {
          unfinished += (now - started) / 1000;
          longest = Math.max(longest, (now - started) / 1000);
        }
        return { unfinishedSeconds: unfinished, longestRunningSeconds: longest };
      }) ?? ((): void => undefined);
  }

  /** Marks the key as needing processing; a no-op when it already waits or after shutdown. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addedAt.set(key, performance.now());
    this.options.metrics?.workqueueAdds.inc(this.labels);
    if (this.processing.has(key)) return;
    this.pushReady(key);
  }

  /** Adds the key after a delay; of several pending delays for one key the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = performance.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { at, timer });
  }

  /** Re-adds a key after its next exponential delay; each call counts as one more failure of that key. */
  addRateLimited(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = backoffDelay(failures, this.options.rateLimit ?? DEFAULT_REQUEUE_BACKOFF);
    this.options.metrics?.workqueueRetries.inc(this.labels);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets the key's failure count: its next rate-limited add waits the initial delay again. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process; waits while none is ready; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.takeReady();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Ends processing of a key; if it was re-added meanwhile it becomes ready again. */
  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.options.metrics?.workqueueWorkDuration.observe(this.labels, (performance.now() - started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.pushReady(key);
    if (this.processing.size === 0) for (const wake of this.drainWaiters.splice(0)) wake();
  }

  /** Keys ready to be handed out. */
  get length(): number {
    return this.ready.length - this.head;
  }

  get processingCount(): number {
    return this.processing.size;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops handing out keys and waits until every key in processing is done. Keys still waiting are dropped:
   * the next start lists every object again, so nothing is lost.
   */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  /** Stops handing out keys without waiting for those in processing. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.ready = [];
    this.head = 0;
    for (const key of [...this.dirty]) if (!this.processing.has(key)) this.dirty.delete(key);
    this.options.metrics?.workqueueDepth.set(this.labels, 0);
    for (const wake of this.getters.splice(0)) wake(undefined);
    this.untrack();
  }

  private pushReady(key: string): void {
    const getter = this.getters.shift();
    if (getter !== undefined) {
      this.ready.push(key);
      getter(this.takeReady());
      return;
    }
    this.ready.push(key);
    this.options.metrics?.workqueueDepth.set(this.labels, this.length);
  }

  private takeReady(): string | undefined {
    if (this.head >= this.ready.length) return undefined;
    const key = this.ready[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.set(key, performance.now());
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) {
      this.options.metrics?.workqueueQueueDuration.observe(this.labels, (performance.now() - added) / 1000);
    }
    this.options.metrics?.workqueueDepth.set(this.labels, this.length);
    return key;
  }
}
