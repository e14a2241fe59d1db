// Sends the operator's transactions, pipelined per signing key: nonces are given out in order locally, many
// transactions of one signer are in flight at once and share a block, and broadcasts leave in nonce order from one
// loop per signer, in JSON-RPC batches. Nothing here remembers what it sent: every message that must happen once carries a client
// reference the chain checks (a repeat is refused as DUPLICATE), so a caller that does not know a transaction's fate
// simply sends it again.
import type { Wallet } from "ethers";
import { ChainOverloadedError, ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import type { ChainClient } from "../../chain-sidecar/client/chain-client.js";
import { type MessageSpec, ResultCode, signTx, txHash } from "../../chain-sidecar/tx/tx-types.js";
import type { Logger } from "../../observability/logger.js";
import { silentLogger } from "../../observability/logger.js";
import type { BlockWatcher, IncludedTx } from "./block-watcher.js";
import type { ChainMetrics, TxResult } from "./chain-metrics.js";

/** The transaction was sent but its fate is not known yet; sending the same message again is safe. */
export class TxOutcomeUnknown extends Error {
  override readonly name = "TxOutcomeUnknown";

  constructor(
    readonly type: string,
    readonly hash: string,
    why: string,
  ) {
    super(`${type} transaction ${hash}: ${why}; its outcome will be checked again`);
  }
}

export interface TxSubmitterOptions {
  client: Pick<ChainClient, "chainId" | "account" | "broadcastBatch">;
  watcher: Pick<BlockWatcher, "knownHeight" | "waitFor" | "cancel">;
  metrics?: ChainMetrics;
  logger?: Logger;
  /** How long to wait for a broadcast transaction to be committed. */
  inclusionTimeoutMs?: number;
  /** How often an OVERLOADED refusal is sent again, after the back-off the error names, before its caller hears it. */
  overloadRetries?: number;
}

interface Entry {
  spec: MessageSpec<unknown>;
  message: unknown;
  nonceRetries: number;
  /** Times the node refused it as OVERLOADED. */
  overloads: number;
  sent: (hash: string, included: Promise<IncludedTx | undefined>) => void;
  failed: (error: unknown) => void;
}

interface Lane {
  signer: Wallet;
  /** The next nonce to give out; undefined means "ask the chain". */
  next: number | undefined;
  waiting: Entry[];
  pumping: boolean;
  /** When an overloaded node asked this signer to back off: nothing is sent before then. */
  resumeAt: number;
}

/** A nonce refusal is retried this often (each time from the nonce the chain names). */
const NONCE_RETRIES = 3;
const OVERLOAD_RETRIES = 5;
/** Signed ahead at once, so a burst is signed while the previous one is broadcast. */
const SIGN_AHEAD = 256;
/** Broadcasts per JSON-RPC batch: CometBFT's default `max_request_batch_size`. */
const BROADCAST_BATCH = 10;

function nonceRefused(error: unknown): error is ChainTxError {
  return (
    error instanceof ChainTxError &&
    (error.code === ResultCode.STALE_NONCE || error.code === ResultCode.FUTURE_NONCE)
  );
}

export class TxSubmitter {
  private readonly lanes = new Map<string, Lane>();
  private readonly log: Logger;
  private readonly inclusionTimeoutMs: number;

  constructor(private readonly options: TxSubmitterOptions) {
    this.log = (options.logger ?? silentLogger()).child({ component: "tx-submitter" });
    this.inclusionTimeoutMs = options.inclusionTimeoutMs ?? 30_000;
  }

  private count(type: string, result: TxResult): void {
    this.options.metrics?.txs.inc({ type, result });
  }

  /**
   * Signs, sends and waits for the block result. Throws ChainTxError when the chain refuses it (in CheckTx or in
   * the block) and TxOutcomeUnknown when it was sent but not seen committed in time.
   */
  async submit<T>(signer: Wallet, spec: MessageSpec<T>, message: T): Promise<IncludedTx> {
    return (await this.send(signer, spec, message)).committed;
  }

  /**
   * Signs and sends; resolves once CheckTx admitted it (throwing ChainTxError if it did not), with `committed`, which
   * settles as `submit` does. For a caller that has better things to do than wait for the block.
   */
  async send<T>(
    signer: Wallet,
    spec: MessageSpec<T>,
    message: T,
  ): Promise<{ hash: string; committed: Promise<IncludedTx> }> {
    const type = spec.primaryType;
    const started = performance.now();
    const { hash, included } = await this.enqueue(signer, spec, message);
    const committed = included.then((result) => {
      if (result === undefined) {
        this.count(type, "unknown");
        throw new TxOutcomeUnknown(type, hash, `not committed within ${this.inclusionTimeoutMs} ms`);
      }
      if (result.code !== ResultCode.OK) {
        this.count(type, "rejected_block");
        throw new ChainTxError(result.code, result.log, "block", result.hash);
      }
      this.count(type, "committed");
      this.options.metrics?.txSeconds.observe({ type }, (performance.now() - started) / 1000);
      return result;
    });
    return { hash, committed };
  }

  /** Queues the message on its signer's lane; resolves once CheckTx admitted it. */
  private enqueue<T>(
    signer: Wallet,
    spec: MessageSpec<T>,
    message: T,
  ): Promise<{ hash: string; included: Promise<IncludedTx | undefined> }> {
    const address = signer.address.toLowerCase();
    let lane = this.lanes.get(address);
    if (lane === undefined) {
      lane = { signer, next: undefined, waiting: [], pumping: false, resumeAt: 0 };
      this.lanes.set(address, lane);
    }
    const queued = lane;
    return new Promise((resolve, reject) => {
      queued.waiting.push({
        spec: spec,
        message,
        nonceRetries: 0,
        overloads: 0,
        sent: (hash, included) => resolve({ hash, included }),
        failed: reject,
      });
      if (!queued.pumping) void this.pump(queued);
    });
  }

  /** The one loop of a signer: signs what waits with consecutive nonces, then broadcasts it in nonce order. */
  private async pump(lane: Lane): Promise<void> {
    lane.pumping = true;
    try {
      while (lane.waiting.length > 0) {
        const backOff = lane.resumeAt - performance.now();
        if (backOff > 0) await new Promise((resolve) => setTimeout(resolve, backOff));
        const burst = lane.waiting.splice(0, SIGN_AHEAD);
        try {
          await this.sendBurst(lane, burst);
        } catch (error) {
          // Asking the chain for the nonce or signing failed: nothing of the burst left this process.
          lane.next = undefined;
          for (const entry of burst) entry.failed(error);
        }
      }
    } finally {
      lane.pumping = false;
    }
  }

  private async sendBurst(lane: Lane, burst: Entry[]): Promise<void> {
    const { client, watcher } = this.options;
    const address = lane.signer.address.toLowerCase();
    const chainId = await client.chainId();
    const first = lane.next ?? (await client.account(address)).nonce;
    const signed = await Promise.all(
      burst.map((entry, i) => signTx(lane.signer, chainId, entry.spec, entry.message, first + i)),
    );
    for (let start = 0; start < burst.length; start += BROADCAST_BATCH) {
      const end = Math.min(burst.length, start + BROADCAST_BATCH);
      const hashes = signed.slice(start, end).map(txHash);
      const height = await watcher.knownHeight();
      const included = hashes.map((hash) => watcher.waitFor(hash, height, this.inclusionTimeoutMs));
      let answers: (Error | undefined)[];
      try {
        answers = await client.broadcastBatch(signed.slice(start, end));
      } catch (error) {
        // The batch's fate is unknown, each of its transactions' too: their callers find out by sending again.
        for (const hash of hashes) watcher.cancel(hash);
        lane.next = undefined;
        lane.waiting.unshift(...burst.slice(end));
        for (const entry of burst.slice(start, end)) {
          this.count(entry.spec.primaryType, "error");
          entry.failed(error);
        }
        return;
      }
      const again = this.answered(lane, burst.slice(start, end), first + start, hashes, included, answers);
      if (again !== undefined) {
        // What was signed after a nonce the chain did not take goes back, in order, to be signed again.
        lane.waiting.unshift(...again, ...burst.slice(end));
        return;
      }
    }
  }

  /**
   * Takes a batch's answers in nonce order, as the node gave them: admitted ones are sent; a refusal fails or
   * retries its entry; the lane's next nonce follows the last answer (the one the chain names after a nonce
   * refusal). Entries after a refusal were refused as ahead of the account, or admitted all the same (after a stale
   * nonce), so each is judged by its own answer. Returns what must be signed again, undefined when all went out.
   */
  private answered(
    lane: Lane,
    group: Entry[],
    first: number,
    hashes: string[],
    included: Promise<IncludedTx | undefined>[],
    answers: (Error | undefined)[],
  ): Entry[] | undefined {
    const { watcher } = this.options;
    const retry: Entry[] = [];
    let failedBefore = false;
    for (let i = 0; i < group.length; i++) {
      const entry = group[i]!;
      const answer = answers[i];
      const nonce = first + i;
      if (answer === undefined) {
        lane.next = nonce + 1;
        entry.sent(hashes[i]!, included[i]!);
        continue;
      }
      watcher.cancel(hashes[i]!);
      const type = entry.spec.primaryType;
      if (nonceRefused(answer)) {
        lane.next = answer.namedNextNonce;
        this.log.debug({ signer: lane.signer.address, nonce, next: lane.next }, "nonce out of step");
        // Refused only because one before it in the batch was: not its own retry.
        if (failedBefore || entry.nonceRetries++ < NONCE_RETRIES) retry.push(entry);
        else {
          this.count(type, "rejected_check");
          entry.failed(answer);
        }
      } else if (
        answer instanceof ChainOverloadedError &&
        entry.overloads < (this.options.overloadRetries ?? OVERLOAD_RETRIES)
      ) {
        // The node sheds load: this and what follows wait the back-off it names, then go again in order.
        entry.overloads++;
        lane.next = nonce;
        lane.resumeAt = performance.now() + answer.retryAfterMs(entry.overloads);
        this.log.debug({ signer: lane.signer.address, nonce, attempt: entry.overloads }, "chain overloaded");
        this.count(type, "overloaded");
        retry.push(entry);
      } else if (answer instanceof ChainTxError) {
        // Refused in CheckTx: its nonce is still the next one.
        lane.next = nonce;
        this.count(type, "rejected_check");
        entry.failed(answer);
      } else {
        // The node may or may not have admitted it; only the chain can tell the next nonce now.
        lane.next = undefined;
        this.count(type, "error");
        entry.failed(answer);
      }
      failedBefore = true;
    }
    return failedBefore ? retry : undefined;
  }
}
