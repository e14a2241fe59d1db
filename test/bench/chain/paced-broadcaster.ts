// Sends pre-signed transactions to CometBFT nodes at a fixed offered rate, in JSON-RPC batches of broadcast_tx_async
// (as CometBFT's own load tester does) or broadcast_tx_sync. Each sender's transactions go to one node, and each node
// has one batch in flight at a time, so nonces reach its mempool in order.
import { txHash } from "../../../chain-sidecar/tx/envelope.js";

export interface BroadcastStats {
  /** Answered with code 0: passed CheckTx (sync) or queued for it (async). */
  accepted: number;
  /** CheckTx answers other than OK, by log prefix (the result code's name); sync mode only. */
  rejected: Map<string, number>;
  rpcFailures: number;
  /** When each accepted tx was due to be sent (ms, performance.now()): client queueing counts as latency. */
  dueAt: Map<string, number>;
  batches: number;
  lastFailure?: string;
}

interface Queued {
  tx: Uint8Array;
  hash: string;
  due: number;
}

/** Transactions per JSON-RPC batch at most; the bench's testnet raises CometBFT's batch limit to this. */
export const MAX_BATCH = 500;

export class PacedBroadcaster {
  readonly stats: BroadcastStats = {
    accepted: 0,
    rejected: new Map(),
    rpcFailures: 0,
    dueAt: new Map(),
    batches: 0,
  };
  private readonly pending: Queued[][];
  private readonly senders: Promise<void>[] = [];
  private readonly cursor: number[] = [];
  private running = false;
  private released = 0;
  private wake: (() => void)[] = [];

  /** `perNode[k]` holds node k's transactions in sending order. */
  constructor(
    private readonly rpcUrls: readonly string[],
    private readonly perNode: readonly Uint8Array[][],
    /** async: the node answers once the tx is queued for CheckTx; sync: once CheckTx has answered. */
    private readonly mode: "async" | "sync" = "async",
  ) {
    this.pending = rpcUrls.map(() => []);
  }

  /** Offers `ratePerSecond` transactions a second (spread round-robin over nodes) for `seconds`, then stops offering. */
  async offer(ratePerSecond: number, seconds: number): Promise<void> {
    this.running = true;
    for (let k = 0; k < this.rpcUrls.length; k++) this.senders.push(this.sendLoop(k));
    const started = performance.now();
    const tickMs = 50;
    const total = Math.floor(ratePerSecond * seconds);
    while (this.released < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerSecond));
      for (; this.released < due; this.released++) {
        this.release(this.released % this.rpcUrls.length, started + (this.released / ratePerSecond) * 1000);
      }
      for (const wake of this.wake.splice(0)) wake();
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
  }

  private release(node: number, due: number): void {
    const index = this.cursor[node] ?? 0;
    const tx = this.perNode[node]![index];
    if (tx === undefined) throw new Error(`node ${node} ran out of pre-signed transactions at ${index}`);
    this.cursor[node] = index + 1;
    this.pending[node]!.push({ tx, hash: txHash(tx), due });
  }

  /** Waits until every released transaction has been answered. */
  async stop(): Promise<BroadcastStats> {
    this.running = false;
    for (const wake of this.wake.splice(0)) wake();
    await Promise.all(this.senders);
    return this.stats;
  }

  private async sendLoop(node: number): Promise<void> {
    const url = this.rpcUrls[node]!;
    const queue = this.pending[node]!;
    for (;;) {
      if (queue.length === 0) {
        if (!this.running) return;
        await new Promise<void>((resolve) => this.wake.push(resolve));
        continue;
      }
      const batch = queue.splice(0, MAX_BATCH);
      await this.send(url, batch);
    }
  }

  private async send(url: string, batch: Queued[]): Promise<void> {
    this.stats.batches++;
    const body = JSON.stringify(
      batch.map((q, i) => ({
        jsonrpc: "2.0",
        id: i,
        method: `broadcast_tx_${this.mode}`,
        params: { tx: Buffer.from(q.tx).toString("base64") },
      })),
    );
    let answers: { id: number; result?: { code: number; log?: string }; error?: { data?: string } }[];
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      const parsed = (await response.json()) as unknown;
      // CometBFT answers a batch of one with a bare object.
      answers = (Array.isArray(parsed) ? parsed : [parsed]) as typeof answers;
    } catch (error) {
      this.stats.rpcFailures += batch.length;
      this.stats.lastFailure = (error as Error).message;
      return;
    }
    for (const answer of answers) {
      const queued = batch[answer.id];
      if (queued === undefined) continue;
      if (answer.result?.code === 0) {
        this.stats.accepted++;
        this.stats.dueAt.set(queued.hash, queued.due);
      } else {
        const reason = answer.result?.log?.split(":")[0] ?? answer.error?.data?.slice(0, 40) ?? "unknown";
        this.stats.rejected.set(reason, (this.stats.rejected.get(reason) ?? 0) + 1);
      }
    }
  }
}
