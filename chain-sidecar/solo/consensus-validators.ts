// The solo chain's validator set, changed only by the application's validator updates.
import { createHash } from "node:crypto";
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { SimpleValidator } from "cosmjs-types/tendermint/types/validator";
import { merkleRoot } from "./simple-merkle.js";

export interface SetMember {
  /** Upper-case hex of the 20-byte address. */
  address: string;
  pubKey: Uint8Array;
  power: bigint;
}

export function ed25519Address(pubKey: Uint8Array): string {
  return createHash("sha256").update(pubKey).digest().subarray(0, 20).toString("hex").toUpperCase();
}

export class ConsensusValidators {
  /** Sorted by power, then address: the order CometBFT lists validators in. */
  readonly members: readonly SetMember[];

  constructor(members: SetMember[]) {
    this.members = [...members].sort((a, b) =>
      a.power !== b.power
        ? a.power > b.power
          ? -1
          : 1
        : a.address < b.address
          ? -1
          : a.address > b.address
            ? 1
            : 0,
    );
  }

  static fromUpdates(updates: ValidatorUpdate[]): ConsensusValidators {
    return new ConsensusValidators([]).apply(updates);
  }

  get totalPower(): bigint {
    return this.members.reduce((sum, m) => sum + m.power, 0n);
  }

  /** A new set with `updates` applied: power 0 removes a validator. */
  apply(updates: ValidatorUpdate[]): ConsensusValidators {
    if (updates.length === 0) return this;
    const byAddress = new Map(this.members.map((m) => [m.address, m]));
    for (const update of updates) {
      const pubKey = update.pubKey.ed25519;
      if (pubKey === undefined) throw new Error("validator update has a key that is not ed25519");
      if (pubKey.length !== 32)
        throw new Error(`validator update has an ed25519 key of ${pubKey.length} bytes`);
      if (update.power < 0n) throw new Error(`validator update has negative power ${update.power}`);
      const address = ed25519Address(pubKey);
      if (update.power === 0n) byAddress.delete(address);
      else byAddress.set(address, { address, pubKey, power: update.power });
    }
    return new ConsensusValidators([...byAddress.values()]);
  }

  /** CometBFT's ValidatorSet.Hash(): the Merkle root over each member's SimpleValidator (key and power). */
  hash(): Uint8Array {
    return merkleRoot(
      this.members.map((m) =>
        SimpleValidator.encode({ pubKey: { ed25519: m.pubKey }, votingPower: m.power }).finish(),
      ),
    );
  }
}
