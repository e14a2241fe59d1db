// The consensus metrics a solo chain has an equivalent for, under CometBFT's own names, so one dashboard reads a
// solo chain (served at its RPC's /metrics) as it reads CometBFT (served on prometheus_listen_addr).
import { Registry } from "prom-client";
import { declareOn } from "../../observability/metric-declarations.js";
import type { StoredBlock } from "./block-store.js";

export class SoloMetrics {
  readonly registry = new Registry();
  private readonly declare = declareOn(this.registry);
  private readonly height = this.declare.gauge(
    "cometbft_consensus_height",
    "Height of the chain (the last committed block).",
  );
  private readonly numTxs = this.declare.gauge(
    "cometbft_consensus_num_txs",
    "Number of transactions in the last block.",
  );
  // A gauge, as CometBFT declares it: transactions committed since this process started.
  private readonly totalTxs = this.declare.gauge(
    "cometbft_consensus_total_txs",
    "Total number of transactions committed since the node started.",
  );
  private readonly blockInterval = this.declare.histogram(
    "cometbft_consensus_block_interval_seconds",
    "Time between this and the last block.",
    [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  );
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
