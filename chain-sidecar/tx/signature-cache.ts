// Remembers each transaction's recovered sender by hash, so CheckTx, ProcessProposal and FinalizeBlock verify once.
import { LRUCache } from "lru-cache";
import type { DecodedTx } from "./envelope.js";
import { recoverSender } from "./signing.js";
import { TxError } from "./tx-error.js";

type Verdict = { sender: string } | { error: TxError };

export class SignatureCache {
  private readonly verdicts: LRUCache<string, Verdict>;
  hits = 0;
  misses = 0;

  constructor(maxEntries = 100_000) {
    this.verdicts = new LRUCache({ max: maxEntries });
  }

  /** The sender of a decoded transaction; a bad signature throws the same error each time. */
  sender(tx: DecodedTx): string {
    let verdict = this.verdicts.get(tx.hash);
    if (verdict) {
      this.hits++;
    } else {
      this.misses++;
      try {
        verdict = { sender: recoverSender(tx) };
      } catch (error) {
        if (!(error instanceof TxError)) throw error;
        verdict = { error };
      }
      this.verdicts.set(tx.hash, verdict);
    }
    if ("error" in verdict) throw verdict.error;
    return verdict.sender;
  }
}
