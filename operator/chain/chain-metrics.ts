// Prometheus metrics of the operator's traffic with the chain: transactions by message type and result.
import { Counter, Histogram, type Registry } from "prom-client";

export type TxResult = "committed" | "rejected_check" | "rejected_block" | "overloaded" | "unknown" | "error";

export class ChainMetrics {
  readonly txs: Counter<"type" | "result">;
  readonly txSeconds: Histogram<"type">;

  constructor(registry: Registry) {
    this.txs = new Counter({
      name: "uranus_chain_txs_total",
      help: "Transactions the operator sent, by message type and result (committed, rejected_check, rejected_block, unknown, error)",
      labelNames: ["type", "result"],
      registers: [registry],
    });
    this.txSeconds = new Histogram({
      name: "uranus_chain_tx_seconds",
      help: "Time from signing a transaction to seeing it committed, by message type",
      labelNames: ["type"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    });
  }
}
