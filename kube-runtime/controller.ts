// Wires informers to a work queue and a reconcile function: events become keys, workers call
// reconcile(key) at most once per key at a time, failures requeue with per-key exponential backoff.
import { randomUUID } from "node:crypto";
import type { Logger } from "../observability/logger.js";
import { controllerLogger, reconcileLogger, silentLogger } from "../observability/logger.js";
import type { OperatorMetrics } from "../observability/metrics.js";
import type { BackoffOptions } from "./backoff.js";
import type { Informer, InformerHandler } from "./informer.js";
import { isConflict } from "./kube-api-error.js";
import { dependentObjectChanged, primaryObjectChanged, type UpdatePredicate } from "./predicates.js";
import {
  groupOf,
  keyOf,
  objectKey,
  parseKey,
  type KubeObject,
  type ObjectKey,
  type ObjectName,
} from "./resource.js";
import { WorkQueue } from "./work-queue.js";

export interface ReconcileResult {
  /** Reconcile this key again after so many milliseconds (periodic work such as metering). */
  requeueAfter?: number;
  /** Reconcile again soon, with the key's exponential backoff, without counting an error. */
  requeue?: boolean;
}

export interface ReconcileContext {
  key: ObjectKey;
  name: ObjectName;
  /** Carries controller, key and reconcileId on every line. */
  log: Logger;
  /** How many times in a row this key was requeued by failure. */
  attempt: number;
  /** Aborted when the controller stops; long calls should pass it on. */
  signal: AbortSignal;
}

/** Must be idempotent: it reads the world, compares with what should be, and fixes the difference. */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a reconcile with nothing to add just returns
export type Reconciler = (key: ObjectKey, context: ReconcileContext) => Promise<ReconcileResult | void>;

export interface WatchSource<S extends KubeObject = KubeObject> {
  informer: Informer<S>;
  /** The keys of the primary objects to reconcile when this object changes. */
  map: (object: S) => ObjectKey[];
  /** Which updates matter; by default any change except resourceVersion and managedFields. */
  predicate?: UpdatePredicate<S>;
  /** Reconcile this long after a change, so a burst of changes makes one reconcile; at once when unset. */
  delayMs?: number;
}

export interface OwnedSource<S extends KubeObject = KubeObject> {
  informer: Informer<S>;
  predicate?: UpdatePredicate<S>;
  /** Reconcile the owner this long after a change, so a burst of changes makes one reconcile; at once when unset. */
  delayMs?: number;
}

export interface ControllerOptions<T extends KubeObject> {
  name: string;
  /** The primary kind: each of its objects is one reconcile key. */
  for: Informer<T>;
  /** Which primary updates matter; by default spec/generation, labels, annotations, finalizers, deletion. */
  forPredicate?: UpdatePredicate<T>;
  /** Kinds whose controller ownerReference points at the primary kind: changes reconcile the owner. */
  owns?: OwnedSource[];
  /** Any other kind, mapped to primary keys by a function. */
  watches?: WatchSource[];
  reconcile: Reconciler;
  /** Keys reconciled in parallel (never the same key twice at once). Default 1. */
  workers?: number;
  rateLimit?: BackoffOptions;
  logger?: Logger;
  metrics?: OperatorMetrics;
}

export class Controller<T extends KubeObject = KubeObject> {
  readonly name: string;
  private queue: WorkQueue | undefined;
  private readonly log: Logger;
  private unsubscribe: (() => void)[] = [];
  private workers: Promise<void>[] = [];
  private stopper = new AbortController();

  constructor(private readonly options: ControllerOptions<T>) {
    this.name = options.name;
    this.log = controllerLogger(options.logger ?? silentLogger(), options.name);
  }

  /** The informers this controller reads; the runtime starts them. */
  get informers(): Informer<KubeObject>[] {
    return [
      this.options.for as unknown as Informer<KubeObject>,
      ...(this.options.owns ?? []).map((source) => source.informer),
      ...(this.options.watches ?? []).map((source) => source.informer),
    ];
  }

  get isRunning(): boolean {
    return this.queue !== undefined && !this.queue.isShuttingDown;
  }

  /** Enqueues a key by hand, e.g. from a timer or an external event source, after `delayMs` when given. */
  enqueue(key: ObjectKey, delayMs = 0): void {
    if (delayMs > 0) this.queue?.addAfter(key, delayMs);
    else this.queue?.add(key);
  }

  /** Subscribes to the informers, waits for them to sync (or for stop()), then starts the workers. */
  async start(): Promise<void> {
    if (this.isRunning) return;
    const workers = this.options.workers ?? 1;
    const queue = new WorkQueue({
      name: this.name,
      controller: this.name,
      rateLimit: this.options.rateLimit,
      metrics: this.options.metrics,
    });
    this.queue = queue;
    this.stopper = new AbortController();
    this.subscribe(queue);
    const signal = this.stopper.signal;
    try {
      await Promise.all(this.informers.map((informer) => informer.waitForSync({ signal })));
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    if (queue.isShuttingDown) return;
    this.options.metrics?.maxConcurrentReconciles.set({ controller: this.name }, workers);
    this.options.metrics?.activeWorkers.set({ controller: this.name }, 0);
    this.workers = Array.from({ length: workers }, () => this.work(queue));
    this.log.info({ workers }, "controller started");
  }

  /** Stops taking new keys and waits for the reconciles in progress to finish. */
  async stop(): Promise<void> {
    const queue = this.queue;
    if (queue === undefined) return;
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    this.stopper.abort();
    await queue.shutDownWithDrain();
    await Promise.all(this.workers);
    this.workers = [];
    this.log.info("controller stopped");
  }

  private subscribe(queue: WorkQueue): void {
    const primary = this.options.for;
    this.unsubscribe.push(
      primary.addHandler(
        handlerFor<T>(
          (object) => [objectKey(object)],
          this.options.forPredicate ?? primaryObjectChanged,
          queue,
        ),
      ),
    );
    const ownerGroup = groupOf(primary.resource.apiVersion);
    const ownerKind = primary.resource.kind;
    const ownerNamespaced = primary.resource.namespaced;
    for (const owned of this.options.owns ?? []) {
      const map = (object: KubeObject): ObjectKey[] => {
        const owner = object.metadata.ownerReferences?.find(
          (reference) =>
            reference.controller === true &&
            reference.kind === ownerKind &&
            groupOf(reference.apiVersion) === ownerGroup,
        );
        if (owner === undefined) return [];
        return [
          keyOf({ namespace: ownerNamespaced ? object.metadata.namespace : undefined, name: owner.name }),
        ];
      };
      this.unsubscribe.push(
        owned.informer.addHandler(
          handlerFor(map, owned.predicate ?? dependentObjectChanged, queue, owned.delayMs),
        ),
      );
    }
    for (const watched of this.options.watches ?? []) {
      this.unsubscribe.push(
        watched.informer.addHandler(
          handlerFor(watched.map, watched.predicate ?? dependentObjectChanged, queue, watched.delayMs),
        ),
      );
    }
  }

  private async work(queue: WorkQueue): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await this.reconcileOnce(queue, key);
      } finally {
        queue.done(key);
      }
    }
  }

  private async reconcileOnce(queue: WorkQueue, key: ObjectKey): Promise<void> {
    const metrics = this.options.metrics;
    const labels = { controller: this.name };
    const log = reconcileLogger(this.log, key, randomUUID());
    metrics?.activeWorkers.inc(labels);
    const started = performance.now();
    let result: "success" | "error" | "requeue" | "requeue_after";
    try {
      const outcome = await this.options.reconcile(key, {
        key,
        name: parseKey(key),
        log,
        attempt: queue.numRequeues(key),
        signal: this.stopper.signal,
      });
      if (outcome?.requeueAfter !== undefined && outcome.requeueAfter > 0) {
        queue.forget(key);
        queue.addAfter(key, outcome.requeueAfter);
        result = "requeue_after";
      } else if (outcome?.requeue === true) {
        queue.addRateLimited(key);
        result = "requeue";
      } else {
        queue.forget(key);
        result = "success";
      }
    } catch (error) {
      if (isConflict(error)) {
        // Someone wrote the object since our read; the next attempt reads it afresh.
        log.debug({ err: error }, "conflict; requeueing");
        result = "requeue";
      } else {
        if (!(error instanceof Error)) metrics?.reconcilePanics.inc(labels);
        metrics?.reconcileErrors.inc(labels);
        log.error({ err: error, attempt: queue.numRequeues(key) }, "reconcile failed");
        result = "error";
      }
      queue.addRateLimited(key);
    } finally {
      metrics?.activeWorkers.dec(labels);
      metrics?.reconcileTime.observe(labels, (performance.now() - started) / 1000);
    }
    metrics?.reconcileTotal.inc({ controller: this.name, result });
  }
}

function handlerFor<S extends KubeObject>(
  map: (object: S) => ObjectKey[],
  predicate: UpdatePredicate<S>,
  queue: WorkQueue,
  delayMs = 0,
): InformerHandler<S> {
  const enqueue = (object: S): void => {
    for (const key of map(object)) queue.addAfter(key, delayMs);
  };
  return {
    add: enqueue,
    update: (previous, current) => {
      if (predicate(previous, current)) enqueue(current);
    },
    delete: enqueue,
  };
}
