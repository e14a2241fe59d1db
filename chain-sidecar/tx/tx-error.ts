// The one error type a transaction, query or genesis check fails with: a stable code and a log naming the field.
import { ResultCode, resultCodeName } from "./result-codes.js";

export class TxError extends Error {
  override readonly name = "TxError";

  constructor(
    readonly code: ResultCode,
    message: string,
  ) {
    super(message);
  }

  /** The log line a client sees: the code's name first, then why. */
  get log(): string {
    return `${resultCodeName(this.code)}: ${this.message}`;
  }
}

export function invalidField(field: string, why: string): TxError {
  return new TxError(ResultCode.INVALID_FIELD, `${field}: ${why}`);
}
