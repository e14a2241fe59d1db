// Genesis for a Uranus chain whose validators are known CometBFT homes: operator accounts, deposits, app_state.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Wallet } from "ethers";
import { buildGenesisAppState, type GenesisInput } from "./app-state.js";

export interface GenesisValidatorHome {
  home: string;
  moniker: string;
  /** 32-byte ed25519 consensus public key. */
  consensusPublicKey: Uint8Array;
}

export interface UranusGenesisOptions {
  /** Each operator's own deposit; the staking module's minimum by default. */
  deposit?: bigint;
  /** Balance each operator account starts with, on top of its deposit. */
  operatorBalance?: bigint;
  /**
   * The operator of validator i, where given (a member cluster's operator that runs its own validator); a fresh
   * account for the others.
   */
  operators?: readonly Wallet[];
  accounts?: GenesisInput["accounts"];
  params?: GenesisInput["params"];
}

export const OPERATOR_KEY_FILE = "operator.key";

/**
 * Creates an operator account per validator, writes its private key (hex, mode 0600) into the validator's home
 * as operator.key for later staking txs, and returns the app_state. Keys are never printed.
 */
export function buildUranusGenesis(
  validators: GenesisValidatorHome[],
  options: UranusGenesisOptions = {},
): { appState: unknown; operators: string[] } {
  const deposit = options.deposit ?? 1_000_000n;
  const operators = validators.map((v, i) => {
    const wallet = options.operators?.[i] ?? Wallet.createRandom();
    const path = join(v.home, OPERATOR_KEY_FILE);
    writeFileSync(path, wallet.privateKey + "\n", { mode: 0o600 });
    chmodSync(path, 0o600);
    return wallet.address;
  });
  const appState = buildGenesisAppState({
    accounts: [
      ...operators.map((address) => ({
        address,
        balance: deposit + (options.operatorBalance ?? 1_000_000_000n),
      })),
      ...(options.accounts ?? []),
    ],
    validators: validators.map((v, i) => ({
      operator: operators[i]!,
      consensusPubKey: Buffer.from(v.consensusPublicKey).toString("base64"),
      deposit,
      moniker: v.moniker,
    })),
    params: options.params,
  });
  return { appState, operators };
}
