// Errors a chain client reports: a transaction the chain refused (or shed as overloaded), or a query it could not answer.
import { ResultCode, resultCodeName } from "../tx/result-codes.js";

export class ChainTxError extends Error {
  override readonly name: string = "ChainTxError";

  constructor(
    readonly code: number,
    readonly log: string,
    /** Where it was refused: the mempool (CheckTx) or the block (FinalizeBlock). */
    readonly stage: "check" | "block",
    readonly hash: string,
  ) {
    super(
      `transaction ${hash} refused in ${stage === "check" ? "CheckTx" : "the block"}: ${log || resultCodeName(code)}`,
    );
  }

  get codeName(): string {
    return resultCodeName(this.code);
  }

  /** The next nonce a STALE_NONCE or FUTURE_NONCE refusal names for the sender; undefined for any other refusal. */
  get namedNextNonce(): number | undefined {
    if (this.code !== ResultCode.STALE_NONCE && this.code !== ResultCode.FUTURE_NONCE) return undefined;
    const named = NEXT_NONCE.exec(this.log);
    return named === null ? undefined : Number(named[1]);
  }
}

/** How the bank keeper's nonce refusals name the sender's next nonce. */
const NEXT_NONCE = /the next nonce of 0x[0-9a-fA-F]{40} is (\d+)/;

/** The first wait before sending an OVERLOADED transaction again: about one block. */
export const OVERLOAD_RETRY_AFTER_MS = 1000;
/** The longest wait the back-off hint grows to. */
export const OVERLOAD_RETRY_MAX_MS = 30_000;

/**
 * The node shed the transaction because as many wait for a block as it takes: code OVERLOADED from the app's CheckTx,
 * or CometBFT's own "mempool is full" RPC error, which carries no code and is mapped to the same one. Nothing ran and
 * the nonce is unused, so the same bytes may be sent again; `retryAfterMs(attempt)` says when.
 */
export class ChainOverloadedError extends ChainTxError {
  override readonly name: string = "ChainOverloadedError";
  readonly retryable = true;

  constructor(log: string, hash: string) {
    super(ResultCode.OVERLOADED, log, "check", hash);
  }

  /** Back-off before attempt `attempt` (1 = the first retry): one block, doubling, at most OVERLOAD_RETRY_MAX_MS. */
  retryAfterMs(attempt = 1): number {
    return Math.min(OVERLOAD_RETRY_MAX_MS, OVERLOAD_RETRY_AFTER_MS * 2 ** Math.max(0, attempt - 1));
  }
}

/** A CheckTx refusal as the client reports it: ChainOverloadedError for OVERLOADED, ChainTxError otherwise. */
export function checkTxRefusal(code: number, log: string, hash: string): ChainTxError {
  return code === ResultCode.OVERLOADED
    ? new ChainOverloadedError(log, hash)
    : new ChainTxError(code, log, "check", hash);
}

/** CometBFT's refusal before CheckTx when its mempool holds mempool.size txs or max_txs_bytes (an RPC error). */
const MEMPOOL_FULL = /mempool is full/i;

/** ChainOverloadedError when an RPC error text is CometBFT's (or the solo producer's) "mempool is full"; else undefined. */
export function overloadFromRpcError(message: string, hash: string): ChainOverloadedError | undefined {
  return MEMPOOL_FULL.test(message) ? new ChainOverloadedError(`OVERLOADED: ${message}`, hash) : undefined;
}

export class ChainQueryError extends Error {
  override readonly name = "ChainQueryError";

  constructor(
    readonly path: string,
    readonly code: number,
    readonly log: string,
  ) {
    super(`query ${path} failed: ${log || resultCodeName(code)}`);
  }

  get codeName(): string {
    return resultCodeName(this.code);
  }
}
