// Staking transaction messages.
import { defineMessage, type MessageOf } from "../../tx/message-spec.js";

export const RegisterValidatorMsg = defineMessage({
  typeId: 16,
  primaryType: "RegisterValidator",
  fields: [
    // ed25519 consensus public key, 32 bytes as 0x hex.
    { name: "consensusPubKey", type: "bytes32" },
    { name: "deposit", type: "uint256" },
    { name: "moniker", type: "string" },
  ],
});
export type RegisterValidator = MessageOf<typeof RegisterValidatorMsg>;

/** Lends to a validator; lending to the validator you operate adds to its own deposit. */
export const LendMsg = defineMessage({
  typeId: 17,
  primaryType: "Lend",
  fields: [
    { name: "validator", type: "address" },
    { name: "amount", type: "uint256" },
  ],
});
export type Lend = MessageOf<typeof LendMsg>;

/** Replaces the sender's votes; the sender's balance is split evenly among them. An empty list withdraws them. */
export const VoteMsg = defineMessage({
  typeId: 18,
  primaryType: "Vote",
  fields: [{ name: "validators", type: "address[]" }],
});
export type Vote = MessageOf<typeof VoteMsg>;

/** Starts returning a loan (or, for the validator's operator, part of its deposit) after the unbonding period. */
export const UnbondMsg = defineMessage({
  typeId: 19,
  primaryType: "Unbond",
  fields: [
    { name: "validator", type: "address" },
    { name: "amount", type: "uint256" },
  ],
});
export type Unbond = MessageOf<typeof UnbondMsg>;

export const UnjailMsg = defineMessage({
  typeId: 20,
  primaryType: "Unjail",
  fields: [],
});
export type Unjail = MessageOf<typeof UnjailMsg>;
