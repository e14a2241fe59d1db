// Prometheus metrics of metering: batches by result, their size, and what they settled.
import type { Counter, Histogram, Registry } from "prom-client";
import { declareOn } from "../../observability/metric-declarations.js";

export class MeteringMetrics {
  readonly batches: Counter<"result">;
  readonly batchRecords: Histogram;
  readonly billedScuSeconds: Counter;
  readonly settledAmount: Counter;
  readonly roundSeconds: Histogram;

  constructor(registry: Registry) {
    const declare = declareOn(registry);
    this.batches = declare.counter(
      "uranus_metering_batches_total",
      "Metering batch transactions, by result (committed, rejected, unknown, error)",
      ["result"],
    );
    this.batchRecords = declare.histogram(
      "uranus_metering_batch_records",
      "Per-pod records in each committed metering batch",
      [1, 2, 5, 10, 25, 50, 100, 200, 400],
    );
    this.billedScuSeconds = declare.counter(
      "uranus_metering_billed_scu_seconds_total",
      "SCU-seconds billed on chain by committed batches",
    );
    this.settledAmount = declare.counter(
      "uranus_metering_settled_amount_total",
      "Tokens taken from escrow by committed batches (smallest unit; may lose precision beyond 2^53)",
    );
    this.roundSeconds = declare.histogram(
      "uranus_metering_round_seconds",
      "Duration of one metering round (all contributors)",
      [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    );
  }
}
