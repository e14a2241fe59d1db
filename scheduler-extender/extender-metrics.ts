// Prometheus metrics of the extender, on a registry of its own so several extenders can live in one process.
import { Registry, collectDefaultMetrics } from "prom-client";
import { declareOn } from "../observability/metric-declarations.js";

export type Verb = "filter" | "prioritize";

export class ExtenderMetrics {
  readonly registry = new Registry();
  private readonly declare = declareOn(this.registry);
  readonly requests = this.declare.counter(
    "uranus_scheduler_extender_requests_total",
    "Extender requests by verb and HTTP status code.",
    ["verb", "code"] as const,
  );
  readonly duration = this.declare.histogram(
    "uranus_scheduler_extender_request_duration_seconds",
    "Time from a request's arrival to its answer, by verb.",
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5],
    ["verb"] as const,
  );
  readonly candidates = this.declare.histogram(
    "uranus_scheduler_extender_candidate_nodes",
    "Candidate nodes per request, by verb (kube-scheduler sends a sample of large clusters).",
    [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    ["verb"] as const,
  );
  readonly rejections = this.declare.counter(
    "uranus_scheduler_extender_rejected_nodes_total",
    "Nodes the filter turned down, by reason.",
    ["reason"] as const,
  );
  readonly replicaWaits = this.declare.counter(
    "uranus_scheduler_extender_replica_waits_total",
    "Filter requests that waited for an earlier replica of the same contract to be bound, by outcome.",
    ["outcome"] as const,
  );
  readonly connections = this.declare.counter(
    "uranus_scheduler_extender_connections_total",
    "TCP connections accepted; it should stay near the number of schedulers, which keep theirs alive.",
  );
  readonly informerEvents = this.declare.counter(
    "uranus_scheduler_extender_informer_events_total",
    "Objects added, updated or deleted as the informers saw them, by resource and event.",
    ["resource", "event"] as const,
  );
  readonly synced = this.declare.gauge(
    "uranus_scheduler_extender_informer_synced",
    "1 once the informer of the resource has listed and is watching.",
    ["resource"] as const,
  );

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
