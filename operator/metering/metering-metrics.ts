// Prometheus metrics of metering: batches by result, their size, and what they settled.
import { Counter, Histogram, type Registry } from "prom-client";

export class MeteringMetrics {
  readonly batches: Counter<"result">;
  readonly batchRecords: Histogram;
  readonly billedScuSeconds: Counter;
  readonly settledAmount: Counter;
  readonly roundSeconds: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.batches = new Counter({
      name: "uranus_metering_batches_total",
      help: "Metering batch transactions, by result (committed, rejected, unknown, error)",
      labelNames: ["result"],
      registers,
    });
    this.batchRecords = new Histogram({
      name: "uranus_metering_batch_records",
      help: "Per-pod records in each committed metering batch",
      buckets: [1, 2, 5, 10, 25, 50, 100, 200, 400],
      registers,
    });
    this.billedScuSeconds = new Counter({
      name: "uranus_metering_billed_scu_seconds_total",
      help: "SCU-seconds billed on chain by committed batches",
      registers,
    });
    this.settledAmount = new Counter({
      name: "uranus_metering_settled_amount_total",
      help: "Tokens taken from escrow by committed batches (smallest unit; may lose precision beyond 2^53)",
      registers,
    });
    this.roundSeconds = new Histogram({
      name: "uranus_metering_round_seconds",
      help: "Duration of one metering round (all contributors)",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
  }
}
