// Builders of the accounts and validators a test chain starts with.
import type { GenesisAccountInput, GenesisValidatorInput } from "../../../chain-sidecar/genesis/app-state.js";

/** A genesis account holding `balance`. */
export function genesisAccount(holder: { address: string }, balance: bigint): GenesisAccountInput {
  return { address: holder.address, balance };
}

/** A genesis validator that `operator` runs under the ed25519 key `consensusKey`, with `deposit` bonded. */
export function genesisValidator(
  operator: { address: string },
  consensusKey: Uint8Array,
  deposit: bigint,
): GenesisValidatorInput {
  return {
    operator: operator.address,
    consensusPubKey: Buffer.from(consensusKey).toString("base64"),
    deposit,
  };
}
