// Checks of bank messages that need no state, run before the keeper touches any.
import { invalidField } from "../../tx/tx-error.js";
import type { Transfer } from "./bank-messages.js";

export function checkTransfer(msg: Transfer): void {
  if (msg.amount === 0n) throw invalidField("Transfer.amount", "must be greater than zero");
}
