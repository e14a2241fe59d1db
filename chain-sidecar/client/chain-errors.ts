// Errors a chain client reports: a transaction the chain refused, or a query it could not answer.
import { resultCodeName } from "../tx/result-codes.js";

export class ChainTxError extends Error {
  override readonly name = "ChainTxError";

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
