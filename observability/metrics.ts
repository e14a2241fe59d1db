// The operator's one Prometheus registry, with controller-runtime's metric names so existing dashboards work.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { declareOn } from "./metric-declarations.js";

/** What a work queue reports at scrape time about items being processed right now. */
export interface InFlightWork {
  /** Seconds of work done so far by all items in progress. */
  unfinishedSeconds: number;
  /** Seconds the longest-running item in progress has been running. */
  longestRunningSeconds: number;
}

export interface QueueLabels {
  name: string;
  controller: string;
}

const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60];
const QUEUE_BUCKETS = [1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 1000];

export class OperatorMetrics {
  readonly reconcileTotal: Counter<"controller" | "result">;
  readonly reconcileErrors: Counter<"controller">;
  readonly reconcilePanics: Counter<"controller">;
  readonly reconcileTime: Histogram<"controller">;
  readonly activeWorkers: Gauge<"controller">;
  readonly maxConcurrentReconciles: Gauge<"controller">;
  readonly workqueueDepth: Gauge<"name" | "controller">;
  readonly workqueueAdds: Counter<"name" | "controller">;
  readonly workqueueRetries: Counter<"name" | "controller">;
  readonly workqueueQueueDuration: Histogram<"name" | "controller">;
  readonly workqueueWorkDuration: Histogram<"name" | "controller">;
  readonly leaderElectionStatus: Gauge<"name">;
  readonly informerLists: Counter<"resource">;
  readonly informerWatchRestarts: Counter<"resource" | "reason">;
  readonly informerEvents: Counter<"resource" | "type">;
  private readonly inFlight = new Map<string, { labels: QueueLabels; read: () => InFlightWork }>();

  constructor(
    readonly registry: Registry = new Registry(),
    options: { processMetrics?: boolean } = {},
  ) {
    const registers = [registry];
    const declare = declareOn(registry);
    if (options.processMetrics ?? false) collectDefaultMetrics({ register: registry });
    this.reconcileTotal = declare.counter(
      "controller_runtime_reconcile_total",
      "Total number of reconciliations per controller, by result (success, error, requeue, requeue_after)",
      ["controller", "result"],
    );
    this.reconcileErrors = declare.counter(
      "controller_runtime_reconcile_errors_total",
      "Total number of reconciliation errors per controller",
      ["controller"],
    );
    this.reconcilePanics = declare.counter(
      "controller_runtime_reconcile_panics_total",
      "Total number of reconciliations that threw something that is not an Error",
      ["controller"],
    );
    this.reconcileTime = declare.histogram(
      "controller_runtime_reconcile_time_seconds",
      "Length of time per reconciliation per controller",
      RECONCILE_BUCKETS,
      ["controller"],
    );
    this.activeWorkers = declare.gauge(
      "controller_runtime_active_workers",
      "Number of workers currently reconciling, per controller",
      ["controller"],
    );
    this.maxConcurrentReconciles = declare.gauge(
      "controller_runtime_max_concurrent_reconciles",
      "Maximum number of concurrent reconciles per controller",
      ["controller"],
    );
    this.workqueueDepth = declare.gauge("workqueue_depth", "Current depth of the work queue", [
      "name",
      "controller",
    ]);
    this.workqueueAdds = declare.counter(
      "workqueue_adds_total",
      "Total number of adds handled by the work queue",
      ["name", "controller"],
    );
    this.workqueueRetries = declare.counter(
      "workqueue_retries_total",
      "Total number of retries (rate-limited re-adds) handled by the work queue",
      ["name", "controller"],
    );
    this.workqueueQueueDuration = declare.histogram(
      "workqueue_queue_duration_seconds",
      "How long in seconds an item stays in the work queue before being requested",
      QUEUE_BUCKETS,
      ["name", "controller"],
    );
    this.workqueueWorkDuration = declare.histogram(
      "workqueue_work_duration_seconds",
      "How long in seconds processing an item from the work queue takes",
      QUEUE_BUCKETS,
      ["name", "controller"],
    );
    const inFlight = this.inFlight;
    new Gauge({
      name: "workqueue_unfinished_work_seconds",
      help: "Seconds of work in progress that has not been observed by work_duration yet",
      labelNames: ["name", "controller"],
      registers,
      collect() {
        this.reset();
        for (const { labels, read } of inFlight.values()) this.set({ ...labels }, read().unfinishedSeconds);
      },
    });
    new Gauge({
      name: "workqueue_longest_running_processor_seconds",
      help: "Seconds the longest-running item in progress has been running",
      labelNames: ["name", "controller"],
      registers,
      collect() {
        this.reset();
        for (const { labels, read } of inFlight.values())
          this.set({ ...labels }, read().longestRunningSeconds);
      },
    });
    this.leaderElectionStatus = declare.gauge(
      "leader_election_master_status",
      "1 while this replica holds the named leader lease, 0 otherwise",
      ["name"],
    );
    this.informerLists = declare.counter(
      "uranus_informer_lists_total",
      "Full lists made by informers (start and every relist after 410 Gone)",
      ["resource"],
    );
    this.informerWatchRestarts = declare.counter(
      "uranus_informer_watch_restarts_total",
      "Watches restarted by informers, by reason (closed, error, expired, idle)",
      ["resource", "reason"],
    );
    this.informerEvents = declare.counter(
      "uranus_informer_events_total",
      "Watch events received by informers, by type",
      ["resource", "type"],
    );
  }

  /** Registers a queue whose in-flight work is read at scrape time; returns the function that unregisters it. */
  trackInFlight(labels: QueueLabels, read: () => InFlightWork): () => void {
    const id = `${labels.controller}\u0000${labels.name}`;
    this.inFlight.set(id, { labels, read });
    return () => {
      if (this.inFlight.get(id)?.read === read) this.inFlight.delete(id);
    };
  }

  /** The Prometheus text exposition of every metric in the registry. */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }
}
