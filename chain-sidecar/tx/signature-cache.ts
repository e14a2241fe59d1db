// Remembers each transaction's decoding and recovered sender by hash, so CheckTx, ProcessProposal and FinalizeBlock
// decode and verify a transaction once per node.
import { LRUCache } from "lru-cache";
import type { DecodedTx } from "./envelope.js";
import { recoverSender } from "./signing.js";
import { TxError } from "./tx-error.js";

export type Verdict = { tx: DecodedTx; sender: string } | { tx: DecodedTx; error: TxError };

export class SignatureCache {
  private readonly verdicts: LRUCache<string, Verdict>;
  hits = 0;
  misses = 0;

  constructor(maxEntries = 50_000) {
    this.verdicts = new LRUCache({ max: maxEntries });
  }

  /** The remembered verdict for a transaction hash, if any. */
  lookup(hash: string): Verdict | undefined {
    const verdict = this.verdicts.get(hash);
    if (verdict) this.hits++;
    return verdict;
  }

  /** Recovers and remembers the sender; a bad signature throws, now and on every later lookup. */
  verify(tx: DecodedTx): string {
    this.misses++;
    let verdict: Verdict;
    try {
      verdict = { tx, sender: recoverSender(tx) };
    } catch (error) {
      if (!(error instanceof TxError)) throw error;
      verdict = { tx, error };
    }
    this.verdicts.set(tx.hash, verdict);
    if ("error" in verdict) throw verdict.error;
    return verdict.sender;
  }
}
