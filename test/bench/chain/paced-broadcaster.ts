// Offers pre-signed transfers to CometBFT nodes at a fixed rate, in JSON-RPC batches of broadcast_tx_sync, as accounts
// that each keep one transfer outstanding: an account's next transfer is offered once its last one is in a block, and a
// refused one is offered again (the same bytes, its nonce unused) at the account's next turn. A refusal is then load
// the chain shed, never a nonce gap that would stall the account's later transfers.
import { overloadFromRpcError } from "../../../chain-sidecar/client/chain-errors.js";
import { txHash } from "../../../chain-sidecar/tx/envelope.js";
import { resultCodeName } from "../../../chain-sidecar/tx/result-codes.js";

export interface BroadcastStats {
  /** Offers made: one per due slot that found an account with nothing outstanding. */
  offered: number;
  /** Due slots that found every account waiting for a block: the bench needs more senders (never shed by the chain). */
  noIdleAccount: number;
  /** Answered with code 0: passed CheckTx. */
  accepted: number;
  /** Refusals by result code name; CometBFT's "mempool is full" RPC error is OVERLOADED (mempool full). */
  rejected: Map<string, number>;
  rpcFailures: number;
  /** When each admitted tx was due to be offered (ms, performance.now()). */
  dueAt: Map<string, number>;
  /** When the broadcast that admitted each tx was sent: what the chain owes it from there is its commit latency. */
  sentAt: Map<string, number>;
  batches: number;
  lastFailure?: string;
}

/** One account's pre-signed transfers, nonces 0, 1, 2 … in order, all sent to one node so they reach it in order. */
export interface AccountLoad {
  node: number;
  txs: readonly Uint8Array[];
}

interface Account extends AccountLoad {
  /** Index of the transfer to offer next (its nonce). */
  next: number;
  /** Hash of the transfer offered and not yet refused or seen in a block. */
  outstanding?: string;
}

interface Queued {
  account: Account;
  tx: Uint8Array;
  hash: string;
  due: number;
}

/**
 * Transactions per JSON-RPC batch at most; the bench's testnet raises CometBFT's batch limit to this. Small enough that
 * a batch of sync CheckTx answers well within CometBFT's RPC write timeout on a busy machine.
 */
export const MAX_BATCH = 100;

export class PacedBroadcaster {
  readonly stats: BroadcastStats = {
    offered: 0,
    noIdleAccount: 0,
    accepted: 0,
    rejected: new Map(),
    rpcFailures: 0,
    dueAt: new Map(),
    sentAt: new Map(),
    batches: 0,
  };
  private readonly byHash = new Map<string, Account>();
  private readonly pending: Queued[][];
  private readonly loops: Promise<void>[] = [];
  /** Accounts with nothing outstanding, longest idle first (a queue, so an offer never scans busy accounts). */
  private idle: Account[];
  private idleHead = 0;
  private running = false;
  private wake: (() => void)[] = [];

  constructor(
    private readonly rpcUrls: readonly string[],
    accounts: readonly AccountLoad[],
  ) {
    this.idle = accounts.map((a) => ({ ...a, next: 0 }));
    this.pending = rpcUrls.map(() => []);
  }

  /**
   * A block carried this tx: its account may offer its next one. Also when the tx was counted as refused (an RPC
   * batch that timed out on a starved node may still have been admitted), so the account never offers it again.
   */
  committed(hash: string): void {
    const account = this.byHash.get(hash);
    if (account === undefined) return;
    this.byHash.delete(hash);
    account.next++;
    if (account.outstanding === hash) this.makeIdle(account);
  }

  /** Offers `ratePerSecond` transfers a second for `seconds`, each from the next account with nothing outstanding. */
  async offer(ratePerSecond: number, seconds: number): Promise<void> {
    this.running = true;
    for (let k = 0; k < this.rpcUrls.length; k++) this.loops.push(this.sendLoop(k));
    const started = performance.now();
    const total = Math.floor(ratePerSecond * seconds);
    let slot = 0;
    while (slot < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerSecond));
      for (; slot < due; slot++) this.release(started + (slot / ratePerSecond) * 1000);
      for (const wake of this.wake.splice(0)) wake();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private makeIdle(account: Account): void {
    account.outstanding = undefined;
    this.idle.push(account);
  }

  private release(due: number): void {
    const account = this.idle[this.idleHead];
    if (account === undefined) {
      this.stats.noIdleAccount++;
      return;
    }
    this.idleHead++;
    if (this.idleHead > 4096) {
      this.idle = this.idle.slice(this.idleHead);
      this.idleHead = 0;
    }
    const tx = account.txs[account.next];
    if (tx === undefined)
      throw new Error(`an account ran out of pre-signed transfers at nonce ${account.next}`);
    const hash = txHash(tx);
    account.outstanding = hash;
    this.byHash.set(hash, account);
    this.pending[account.node]!.push({ account, tx, hash, due });
    this.stats.offered++;
  }

  /** Waits until every offered transaction has been answered. */
  async stop(): Promise<BroadcastStats> {
    this.running = false;
    for (const wake of this.wake.splice(0)) wake();
    await Promise.all(this.loops);
    return this.stats;
  }

  private async sendLoop(node: number): Promise<void> {
    const queue = this.pending[node]!;
    for (;;) {
      if (queue.length === 0) {
        if (!this.running) return;
        await new Promise<void>((resolve) => this.wake.push(resolve));
        continue;
      }
      await this.send(this.rpcUrls[node]!, queue.splice(0, MAX_BATCH));
    }
  }

  private refused(queued: Queued, reason: string): void {
    this.stats.rejected.set(reason, (this.stats.rejected.get(reason) ?? 0) + 1);
    if (queued.account.outstanding === queued.hash) this.makeIdle(queued.account);
  }

  private async send(url: string, batch: Queued[]): Promise<void> {
    this.stats.batches++;
    const body = JSON.stringify(
      batch.map((q, i) => ({
        jsonrpc: "2.0",
        id: i,
        method: "broadcast_tx_sync",
        params: { tx: Buffer.from(q.tx).toString("base64") },
      })),
    );
    const sentAt = performance.now();
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
      for (const queued of batch) this.refused(queued, "RPC_FAILURE");
      return;
    }
    const answered = new Set<number>();
    for (const answer of answers) {
      const queued = batch[answer.id];
      if (queued === undefined) continue;
      answered.add(answer.id);
      if (answer.result?.code === 0) {
        this.stats.accepted++;
        this.stats.dueAt.set(queued.hash, queued.due);
        this.stats.sentAt.set(queued.hash, sentAt);
      } else if (answer.result !== undefined) {
        this.refused(queued, resultCodeName(answer.result.code));
      } else {
        const text = answer.error?.data ?? "unknown";
        const shed = overloadFromRpcError(text, queued.hash);
        this.refused(queued, shed === undefined ? text.slice(0, 40) : `${shed.codeName} (mempool full)`);
      }
    }
    batch.forEach((queued, id) => answered.has(id) || this.refused(queued, "NO_ANSWER"));
  }
}
