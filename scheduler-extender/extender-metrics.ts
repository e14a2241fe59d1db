// Prometheus metrics of the extender, on a registry of its own so several extenders can live in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type Verb = "filter" | "prioritize";

export class ExtenderMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "uranus_scheduler_extender_requests_total",
    help: "Extender requests by verb and HTTP status code.",
    labelNames: ["verb", "code"] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "uranus_scheduler_extender_request_duration_seconds",
    help: "Time from a request's arrival to its answer, by verb.",
    labelNames: ["verb"] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5],
    registers: [this.registry],
  });
  readonly candidates = new Histogram({
    name: "uranus_scheduler_extender_candidate_nodes",
    help: "Candidate nodes per request, by verb (kube-scheduler sends a sample of large clusters).",
    labelNames: ["verb"] as const,
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: "uranus_scheduler_extender_rejected_nodes_total",
    help: "Nodes the filter turned down, by reason.",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly replicaWaits = new Counter({
    name: "uranus_scheduler_extender_replica_waits_total",
    help: "Filter requests that waited for an earlier replica of the same contract to be bound, by outcome.",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly connections = new Counter({
    name: "uranus_scheduler_extender_connections_total",
    help: "TCP connections accepted; it should stay near the number of schedulers, which keep theirs alive.",
    registers: [this.registry],
  });
  readonly informerEvents = new Counter({
    name: "uranus_scheduler_extender_informer_events_total",
    help: "Objects added, updated or deleted as the informers saw them, by resource and event.",
    labelNames: ["resource", "event"] as const,
    registers: [this.registry],
  });
  readonly synced = new Gauge({
    name: "uranus_scheduler_extender_informer_synced",
    help: "1 once the informer of the resource has listed and is watching.",
    labelNames: ["resource"] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
