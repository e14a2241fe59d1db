// The operator's one Prometheus registry, with controller-runtime's metric names so existing dashboards work.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

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
    if (options.processMetrics ?? false) collectDefaultMetrics({ register: registry });
    this.reconcileTotal = new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller, by result (success, error, requeue, requeue_after)",
      labelNames: ["controller", "result"],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller",
      labelNames: ["controller"],
      registers,
    });
    this.reconcilePanics = new Counter({
      name: "controller_runtime_reconcile_panics_total",
      help: "Total number of reconciliations that threw something that is not an Error",
      labelNames: ["controller"],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller",
      labelNames: ["controller"],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.activeWorkers = new Gauge({
      name: "controller_runtime_active_workers",
      help: "Number of workers currently reconciling, per controller",
      labelNames: ["controller"],
      registers,
    });
    this.maxConcurrentReconciles = new Gauge({
      name: "controller_runtime_max_concurrent_reconciles",
      help: "Maximum number of concurrent reconciles per controller",
      labelNames: ["controller"],
      registers,
    });
    this.workqueueDepth = new Gauge({
      name: "workqueue_depth",
      help: "Current depth of the work queue",
      labelNames: ["name", "controller"],
      registers,
    });
    this.workqueueAdds = new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by the work queue",
      labelNames: ["name", "controller"],
      registers,
    });
    this.workqueueRetries = new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries (rate-limited re-adds) handled by the work queue",
      labelNames: ["name", "controller"],
      registers,
    });
    this.workqueueQueueDuration = new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in the work queue before being requested",
      labelNames: ["name", "controller"],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.workqueueWorkDuration = new Histogram({
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from the work queue takes",
      labelNames: ["name", "controller"],
      buckets: QUEUE_BUCKETS,
      registers,
    });
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
    this.leaderElectionStatus = new Gauge({
      name: "leader_election_master_status",
      help: "1 while this replica holds the named leader lease, 0 otherwise",
      labelNames: ["name"],
      registers,
    });
    this.informerLists = new Counter({
      name: "uranus_informer_lists_total",
      help: "Full lists made by informers (start and every relist after 410 Gone)",
      labelNames: ["resource"],
      registers,
    });
    this.informerWatchRestarts = new Counter({
      name: "uranus_informer_watch_restarts_total",
      help: "Watches restarted by informers, by reason (closed, error, expired, idle)",
      labelNames: ["resource", "reason"],
      registers,
    });
    this.informerEvents = new Counter({
      name: "uranus_informer_events_total",
      help: "Watch events received by informers, by type",
      labelNames: ["resource", "type"],
      registers,
    });
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
