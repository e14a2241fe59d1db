// Staking transaction messages.
import { defineMessage } from "../../tx/message-spec.js";

export interface RegisterValidator {
  /** ed25519 consensus public key, 32 bytes as 0x hex. */
  consensusPubKey: string;
  deposit: bigint;
  moniker: string;
}

/** Lends to a validator; lending to the validator you operate adds to its own deposit. */
export interface Lend {
  validator: string;
  amount: bigint;
}

/** Replaces the sender's votes; the sender's balance is split evenly among them. An empty list withdraws them. */
export interface Vote {
  validators: string[];
}

/** Starts returning a loan (or, for the validator's operator, part of its deposit) after the unbonding period. */
export interface Unbond {
  validator: string;
  amount: bigint;
}

export type Unjail = Record<string, never>;

export const RegisterValidatorMsg = defineMessage<RegisterValidator>({
  typeId: 16,
  primaryType: "RegisterValidator",
  fields: [
    { name: "consensusPubKey", type: "bytes32" },
    { name: "deposit", type: "uint256" },
    { name: "moniker", type: "string" },
  ],
});

export const LendMsg = defineMessage<Lend>({
  typeId: 17,
  primaryType: "Lend",
  fields: [
    { name: "validator", type: "address" },
    { name: "amount", type: "uint256" },
  ],
});

export const VoteMsg = defineMessage<Vote>({
  typeId: 18,
  primaryType: "Vote",
  fields: [{ name: "validators", type: "address[]" }],
});

export const UnbondMsg = defineMessage<Unbond>({
  typeId: 19,
  primaryType: "Unbond",
  fields: [
    { name: "validator", type: "address" },
    { name: "amount", type: "uint256" },
  ],
});

export const UnjailMsg = defineMessage<Unjail>({
  typeId: 20,
  primaryType: "Unjail",
  fields: [],
});
