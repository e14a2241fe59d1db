// Prometheus metrics of migrations: how many, why, and how long a replica was down before it ran again.
import type { Counter, Histogram, Registry } from "prom-client";
import { declareOn } from "../../observability/metric-declarations.js";

export class MigrationMetrics {
  readonly migrations: Counter<"reason">;
  readonly recoverySeconds: Histogram;

  constructor(registry: Registry) {
    const declare = declareOn(registry);
    this.migrations = declare.counter(
      "uranus_migrations_total",
      "PowerContainers moved off a node, by reason (NodeFailed, NodeNoLongerMatches)",
      ["reason"],
    );
    this.recoverySeconds = declare.histogram(
      "uranus_migration_recovery_seconds",
      "Time from a node's failure to the replacement pod running on another node",
      [0.5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60, 120, 300],
    );
  }
}
