// Remembers each transaction's decoding and recovered sender by hash, so CheckTx, ProcessProposal and FinalizeBlock
// decode and verify a transaction once per node.
import type { DecodedTx } from "./envelope.js";
import { recoverSender } from "./signing.js";
import { TxError } from "./tx-error.js";

export type Verdict = { tx: DecodedTx; sender: string } | { tx: DecodedTx; error: TxError };

/**
 * Verdicts live in two generations of plain maps: new ones go into the young map, and when it holds half the capacity
 * the old map is dropped and the young one takes its place. A verdict read from the old map moves back into the young
 * one. Written here rather than with lru-cache: its per-access bookkeeping cost more than a transaction's lookups, and
 * a transaction needs its verdict only from CheckTx to the block that commits it, so the oldest half going at once
 * loses nothing an exact LRU would keep.
 */
export class SignatureCache {
  private young = new Map<string, Verdict>();
  private old = new Map<string, Verdict>();
  private readonly generationSize: number;
  hits = 0;
  misses = 0;

  constructor(maxEntries = 50_000) {
    this.generationSize = Math.max(1, Math.floor(maxEntries / 2));
  }

  /** The remembered verdict for a transaction hash, if any. */
  lookup(hash: string): Verdict | undefined {
    let verdict = this.young.get(hash);
    if (verdict === undefined) {
      verdict = this.old.get(hash);
      if (verdict !== undefined) {
        this.old.delete(hash);
        this.remember(hash, verdict);
      }
    }
    if (verdict) this.hits++;
    return verdict;
  }

  /**
   * The remembered verdict, forgotten as it is read: for FinalizeBlock, after which the transaction is committed and
   * its nonce used. Dropping it there lets a transaction's objects die young instead of aging in the cache, which
   * cost the garbage collector more than keeping them saved.
   */
  take(hash: string): Verdict | undefined {
    const verdict = this.young.get(hash) ?? this.old.get(hash);
    if (verdict === undefined) return undefined;
    this.young.delete(hash);
    this.old.delete(hash);
    this.hits++;
    return verdict;
  }

  /**
   * Recovers the sender and, unless `remember` is false (a transaction being delivered), remembers it; a bad signature
   * throws, now and on every later lookup.
   */
  verify(tx: DecodedTx, remember = true): string {
    this.misses++;
    let verdict: Verdict;
    try {
      verdict = { tx, sender: recoverSender(tx) };
    } catch (error) {
      if (!(error instanceof TxError)) throw error;
      verdict = { tx, error };
    }
    if (remember) this.remember(tx.hash, verdict);
    if ("error" in verdict) throw verdict.error;
    return verdict.sender;
  }

  /** Verdicts held now: at most the capacity given. */
  get size(): number {
    return this.young.size + this.old.size;
  }

  private remember(hash: string, verdict: Verdict): void {
    if (this.young.size >= this.generationSize) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(hash, verdict);
  }
}
