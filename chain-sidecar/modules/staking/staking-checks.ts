// Checks of staking messages and validator fields that need no state, run before or beside the keeper's own.
import { invalidField } from "../../tx/tx-error.js";
import type { Lend, Unbond } from "./staking-messages.js";

export const MAX_MONIKER_LENGTH = 64;

export function checkLend(msg: Lend): void {
  if (msg.amount === 0n) throw invalidField("Lend.amount", "must be greater than zero");
}

export function checkUnbond(msg: Unbond): void {
  if (msg.amount === 0n) throw invalidField("Unbond.amount", "must be greater than zero");
}

/** `field` names the key in the error, e.g. `RegisterValidator.consensusPubKey`. */
export function checkConsensusPubKey(pubKey: Uint8Array, field: string): void {
  if (pubKey.length !== 32) throw invalidField(field, `expected 32 bytes, got ${pubKey.length}`);
  if (pubKey.every((b) => b === 0)) throw invalidField(field, "all-zero key is not an ed25519 key");
}

export function checkMoniker(moniker: string, field: string): void {
  if (moniker.length > MAX_MONIKER_LENGTH || /\p{Cc}/u.test(moniker))
    throw invalidField(field, `at most ${MAX_MONIKER_LENGTH} characters, no control characters`);
}
