// Sends the operator's transactions: one queue per signing key (so nonces follow each other and many transactions
// share a block), broadcast after CheckTx, then the block result. A transaction that must happen exactly once is
// first written down signed (its "intent"); after a crash the same bytes are looked up or sent again, never
// re-signed while they might still land.
import { Mutex } from "async-mutex";
import { hexlify, getBytes, type Wallet } from "ethers";
import { ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import type { ChainClient } from "../../chain-sidecar/client/chain-client.js";
import { uranusRegistry } from "../../chain-sidecar/modules/uranus-modules.js";
import { decodeTx, txHash, type DecodedTx } from "../../chain-sidecar/tx/envelope.js";
import type { MessageSpec } from "../../chain-sidecar/tx/message-spec.js";
import { ResultCode } from "../../chain-sidecar/tx/result-codes.js";
import { recoverSender, signTx } from "../../chain-sidecar/tx/signing.js";
import type { Logger } from "../observability/logger.js";
import { silentLogger } from "../observability/logger.js";
import type { BlockWatcher, IncludedTx } from "./block-watcher.js";
import type { ChainMetrics, TxResult } from "./chain-metrics.js";

/** The transaction was sent but its fate is not known yet; retrying later finds out. */
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

/** Where a signed transaction is kept between signing and knowing its outcome (an annotation, typically). */
export interface TxIntent {
  /** The signed transaction as 0x hex, if one is pending. */
  read(): string | undefined;
  /** Must be durable when it resolves: it is called before the broadcast. */
  write(signedTxHex: string): Promise<void>;
}

export interface TxSubmitterOptions {
  client: ChainClient;
  watcher: BlockWatcher;
  metrics?: ChainMetrics;
  logger?: Logger;
  /** How long to wait for a broadcast transaction to be committed. */
  inclusionTimeoutMs?: number;
}

interface SignerQueue {
  lock: Mutex;
  /** The next nonce, once known; undefined means "ask the chain". */
  next: number | undefined;
  /** Nonces of transactions signed by an earlier process whose fate is not known yet: never signed again. */
  reserved: Set<number>;
}

const NONCE_RETRIES = 3;

function nonceRefused(error: unknown): boolean {
  return (
    error instanceof ChainTxError &&
    (error.code === ResultCode.STALE_NONCE || error.code === ResultCode.FUTURE_NONCE)
  );
}

function alreadyInMempool(error: unknown): boolean {
  return error instanceof Error && /already exists in cache/i.test(error.message);
}

export class TxSubmitter {
  private readonly queues = new Map<string, SignerQueue>();
  private readonly log: Logger;
  private readonly inclusionTimeoutMs: number;

  constructor(private readonly options: TxSubmitterOptions) {
    this.log = (options.logger ?? silentLogger()).child({ component: "tx-submitter" });
    this.inclusionTimeoutMs = options.inclusionTimeoutMs ?? 30_000;
  }

  private queue(address: string): SignerQueue {
    let queue = this.queues.get(address);
    if (queue === undefined) {
      queue = { lock: new Mutex(), next: undefined, reserved: new Set() };
      this.queues.set(address, queue);
    }
    return queue;
  }

  private count(type: string, result: TxResult): void {
    this.options.metrics?.txs.inc({ type, result });
  }

  /**
   * Signs, sends and waits for the block result. Throws ChainTxError when the chain refuses it (in CheckTx or in
   * the block) and TxOutcomeUnknown when it was sent but not seen committed in time. With an intent, a pending
   * transaction from an earlier attempt is settled first and the new one is written down before it is sent.
   */
  async submit<T>(signer: Wallet, spec: MessageSpec<T>, message: T, intent?: TxIntent): Promise<IncludedTx> {
    const type = spec.primaryType;
    const pending = intent?.read();
    if (pending !== undefined) {
      const settled = await this.settle(pending, type);
      if (settled !== "dropped") return this.finish(type, settled, performance.now());
    }
    const started = performance.now();
    const { hash, included } = await this.send(signer, spec, message, intent);
    const result = await included;
    if (result === undefined) {
      this.count(type, "unknown");
      throw new TxOutcomeUnknown(type, hash, `not committed within ${this.inclusionTimeoutMs} ms`);
    }
    return this.finish(type, result, started);
  }

  private finish(type: string, result: IncludedTx, started: number): IncludedTx {
    if (result.code !== ResultCode.OK) {
      this.count(type, "rejected_block");
      throw new ChainTxError(result.code, result.log, "block", result.hash);
    }
    this.count(type, "committed");
    this.options.metrics?.txSeconds.observe({ type }, (performance.now() - started) / 1000);
    return result;
  }

  private async send<T>(
    signer: Wallet,
    spec: MessageSpec<T>,
    message: T,
    intent: TxIntent | undefined,
  ): Promise<{ hash: string; included: Promise<IncludedTx | undefined> }> {
    const { client, watcher } = this.options;
    const address = signer.address.toLowerCase();
    const queue = this.queue(address);
    const chainId = await client.chainId();
    return queue.lock.runExclusive(async () => {
      for (let attempt = 0; ; attempt++) {
        let nonce = queue.next ?? (await client.account(address)).nonce;
        while (queue.reserved.has(nonce)) nonce++;
        const tx = await signTx(signer, chainId, spec, message, nonce);
        const hash = txHash(tx);
        if (intent !== undefined) await intent.write(hexlify(tx));
        const included = watcher.waitFor(hash, await watcher.knownHeight(), this.inclusionTimeoutMs);
        try {
          await client.broadcast(tx, "sync", nonce);
          queue.next = nonce + 1;
          return { hash, included };
        } catch (error) {
          watcher.cancel(hash);
          if (nonceRefused(error) && attempt < NONCE_RETRIES) {
            this.log.debug({ signer: address, nonce, err: error }, "nonce out of step; asking the chain");
            queue.next = undefined;
            continue;
          }
          if (error instanceof ChainTxError) {
            this.count(spec.primaryType, "rejected_check");
            if (nonceRefused(error)) queue.next = undefined;
            throw error;
          }
          // The node may or may not have admitted it; only the chain can tell the next nonce now.
          queue.next = undefined;
          this.count(spec.primaryType, "error");
          throw error;
        }
      }
    });
  }

  /**
   * Keeps a transaction an earlier process signed (an intent found after a restart) from having its nonce signed
   * again until it is settled: two identical messages signed with the same nonce are the same bytes, and both
   * writers would take the one transaction for their own.
   */
  reserve(signedTxHex: string): void {
    const decoded = decodeTx(getBytes(signedTxHex), uranusRegistry.catalog);
    this.queue(recoverSender(decoded)).reserved.add(decoded.nonce);
  }

  /**
   * Finds out what became of a signed transaction written down earlier: committed (with its result), or
   * "dropped" (its nonce went to another transaction, or it can never pass CheckTx), sending it again if it is
   * still possible that it lands.
   */
  async settle(signedTxHex: string, type: string): Promise<IncludedTx | "dropped"> {
    const bytes = getBytes(signedTxHex);
    const decoded = decodeTx(bytes, uranusRegistry.catalog);
    const sender = recoverSender(decoded);
    const outcome = await this.settleSigned(bytes, decoded, sender, type);
    // Known now (committed, or it can never land): the nonce is the chain's to count again.
    this.queue(sender).reserved.delete(decoded.nonce);
    return outcome;
  }

  private async settleSigned(
    bytes: Uint8Array,
    decoded: DecodedTx,
    sender: string,
    type: string,
  ): Promise<IncludedTx | "dropped"> {
    const { client, watcher } = this.options;
    const hash = txHash(bytes);
    const found = await watcher.lookup(hash);
    if (found !== undefined) return found;
    const onChain = (await client.account(sender)).nonce;
    if (onChain > decoded.nonce) return (await watcher.lookup(hash)) ?? "dropped";
    const included = watcher.waitFor(hash, await watcher.knownHeight(), this.inclusionTimeoutMs);
    try {
      await client.broadcast(bytes, "sync", decoded.nonce);
    } catch (error) {
      if (!alreadyInMempool(error)) {
        watcher.cancel(hash);
        if (error instanceof ChainTxError) {
          if (error.code === ResultCode.STALE_NONCE) return (await watcher.lookup(hash)) ?? "dropped";
          // Refused as signed (a nonce gap, or a check that now fails): it is in no mempool and cannot land.
          this.log.info({ hash, type, code: error.codeName }, "a pending transaction can no longer land");
          return "dropped";
        }
        throw error;
      }
    }
    const result = await included;
    if (result === undefined) {
      this.count(type, "unknown");
      throw new TxOutcomeUnknown(type, hash, `resent, not committed within ${this.inclusionTimeoutMs} ms`);
    }
    return result;
  }
}
