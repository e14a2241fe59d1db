// The consensus metrics a solo chain has an equivalent for, under CometBFT's own names, so one dashboard reads a
// solo chain (served at its RPC's /metrics) as it reads CometBFT (served on prometheus_listen_addr).
import { Gauge, Histogram, Registry } from "prom-client";
import type { StoredBlock } from "./block-store.js";

export class SoloMetrics {
  readonly registry = new Registry();
  private readonly height = new Gauge({
    name: "cometbft_consensus_height",
    help: "Height of the chain (the last committed block).",
    registers: [this.registry],
  });
  private readonly numTxs = new Gauge({
    name: "cometbft_consensus_num_txs",
    help: "Number of transactions in the last block.",
    registers: [this.registry],
  });
  // A gauge, as CometBFT declares it: transactions committed since this process started.
  private readonly totalTxs = new Gauge({
    name: "cometbft_consensus_total_txs",
    help: "Total number of transactions committed since the node started.",
    registers: [this.registry],
  });
  private readonly blockInterval = new Histogram({
    name: "cometbft_consensus_block_interval_seconds",
    help: "Time between this and the last block.",
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  private lastBlockMs: number | undefined;

  observe(block: StoredBlock): void {
    this.height.set(Number(block.header.height));
    this.numTxs.set(block.txs.length);
    this.totalTxs.inc(block.txs.length);
    const time = block.header.time;
    const timeMs = Number(time.seconds) * 1000 + time.nanos / 1e6;
    if (this.lastBlockMs !== undefined) this.blockInterval.observe((timeMs - this.lastBlockMs) / 1000);
    this.lastBlockMs = timeMs;
  }
}
