// Txs that passed CheckTx and wait for a block, in arrival order, bounded like CometBFT's mempool.
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";

export interface MempoolLimits {
  /** Largest accepted tx; CometBFT's mempool.max_tx_bytes. */
  maxTxBytes: number;
  maxTxs: number;
  maxTotalBytes: number;
  /** Hashes remembered to refuse a tx seen before; CometBFT's mempool.cache_size. */
  cacheSize: number;
}

/** The same bounds as a CometBFT node's (cometbft-config.ts): about two blocks' worth, so excess is refused, not queued. */
export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = {
  maxTxBytes: 1024 * 1024,
  maxTxs: 2000,
  maxTotalBytes: 64 * 1024 * 1024,
  cacheSize: 10_000,
};

/** Refusals before CheckTx; the RPC reports them as errors, as CometBFT does ("mempool is full" is OVERLOADED to the client). */
export class MempoolError extends Error {
  override readonly name = "MempoolError";
}

export function txHash(tx: Uint8Array): string {
  return createHash("sha256").update(tx).digest("hex").toUpperCase();
}

export class Mempool {
  private readonly txs = new Map<string, Uint8Array>();
  private readonly seen: LRUCache<string, true>;
  private totalBytes = 0;

  constructor(readonly limits: MempoolLimits = DEFAULT_MEMPOOL_LIMITS) {
    this.seen = new LRUCache({ max: limits.cacheSize });
  }

  get size(): number {
    return this.txs.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Refuses a tx that is too large, already seen, or does not fit; otherwise remembers its hash. */
  admit(tx: Uint8Array, hash: string): void {
    if (tx.length > this.limits.maxTxBytes) {
      throw new MempoolError(`tx too large: ${tx.length} bytes, the limit is ${this.limits.maxTxBytes}`);
    }
    if (this.seen.has(hash)) throw new MempoolError("tx already exists in cache");
    if (this.txs.size >= this.limits.maxTxs || this.totalBytes + tx.length > this.limits.maxTotalBytes) {
      throw new MempoolError(
        `mempool is full: number of txs ${this.txs.size} (max: ${this.limits.maxTxs}), ` +
          `total txs bytes ${this.totalBytes} (max: ${this.limits.maxTotalBytes})`,
      );
    }
    this.seen.set(hash, true);
  }

  /** A tx that failed CheckTx may be sent again later. */
  forget(hash: string): void {
    this.seen.delete(hash);
  }

  add(tx: Uint8Array, hash: string): void {
    if (this.txs.has(hash)) return;
    this.txs.set(hash, tx);
    this.totalBytes += tx.length;
  }

  remove(hash: string): void {
    const tx = this.txs.get(hash);
    if (tx === undefined) return;
    this.txs.delete(hash);
    this.totalBytes -= tx.length;
  }

  /**
   * The oldest txs whose total size fits in `maxBytes`, at most `maxTxs` of them (the block's max_gas, each tx
   * asking for 1 gas; negative means no bound), as CometBFT's ReapMaxBytesMaxGas.
   */
  reap(maxBytes: number, maxTxs = -1): Uint8Array[] {
    const picked: Uint8Array[] = [];
    let bytes = 0;
    for (const tx of this.txs.values()) {
      if (maxTxs >= 0 && picked.length >= maxTxs) break;
      if (bytes + tx.length > maxBytes) break;
      bytes += tx.length;
      picked.push(tx);
    }
    return picked;
  }

  entries(): [string, Uint8Array][] {
    return [...this.txs.entries()];
  }

  /** After a commit the remaining txs are checked again against the new state, as CometBFT does; failures leave. */
  async recheck(check: (tx: Uint8Array) => Promise<number>): Promise<void> {
    for (const [hash, tx] of this.entries()) {
      if ((await check(tx)) !== 0) {
        this.remove(hash);
        this.forget(hash);
      }
    }
  }
}
