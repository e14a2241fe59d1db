// Admission to the mempool view: past a number of transactions waiting for a block, new ones are refused as OVERLOADED,
// so a node under more load than its blocks carry sheds the excess at once instead of queueing it into long waits.
import { ResultCode } from "../tx/result-codes.js";

/** For an app opened without a CometBFT home; a node takes pendingLimitForMempool of its [mempool] size. */
export const DEFAULT_MAX_PENDING_TXS = 1800;

export interface PendingRefusal {
  code: typeof ResultCode.OVERLOADED;
  log: string;
}

/**
 * Counts the transactions CheckTx admitted since the last commit, including the mempool's rechecks after it (which
 * always pass this limit: they already hold a place). Node-local policy, like CometBFT's mempool size: it never
 * changes what a block does.
 */
export class PendingTxLimit {
  private pending = 0;

  constructor(readonly max: number = DEFAULT_MAX_PENDING_TXS) {
    if (!Number.isSafeInteger(max) || max < 1)
      throw new Error(`maxPendingTxs must be a positive integer, got ${max}`);
  }

  get count(): number {
    return this.pending;
  }

  /** The refusal of a new transaction when the node already holds `max`; undefined when it may be checked. */
  refusal(recheck: boolean): PendingRefusal | undefined {
    if (recheck || this.pending < this.max) return undefined;
    return {
      code: ResultCode.OVERLOADED,
      log:
        `OVERLOADED: ${this.pending} transactions wait for a block on this node (its limit is ${this.max}); ` +
        `nothing was checked: send it again after a block or more`,
    };
  }

  /** A transaction passed CheckTx and now waits in the mempool. */
  admitted(): void {
    this.pending++;
  }

  /** After a commit the mempool's remaining transactions are rechecked and counted again. */
  committed(): void {
    this.pending = 0;
  }
}

/**
 * The app's limit under a node's mempool size: a tenth lower, so a sender meets the app's coded refusal before
 * CometBFT's own "mempool is full" (which carries no code), with room for txs gossiped from peers meanwhile.
 */
export function pendingLimitForMempool(mempoolSize: number): number {
  return Math.max(1, Math.floor(mempoolSize * 0.9));
}
