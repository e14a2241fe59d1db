// Prometheus metrics of migrations: how many, why, and how long a replica was down before it ran again.
import { Counter, Histogram, type Registry } from "prom-client";

export class MigrationMetrics {
  readonly migrations: Counter<"reason">;
  readonly recoverySeconds: Histogram;

  constructor(registry: Registry) {
    this.migrations = new Counter({
      name: "uranus_migrations_total",
      help: "PowerContainers moved off a node, by reason (NodeFailed, NodeNoLongerMatches)",
      labelNames: ["reason"],
      registers: [registry],
    });
    this.recoverySeconds = new Histogram({
      name: "uranus_migration_recovery_seconds",
      help: "Time from a node's failure to the replacement pod running on another node",
      buckets: [0.5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60, 120, 300],
      registers: [registry],
    });
  }
}
