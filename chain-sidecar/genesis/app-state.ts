// Builds the app_state of a Uranus genesis file, checked by running it through the modules' own genesis code.
import { ExecContext } from "../modules/exec-context.js";
import type { ModuleRegistry } from "../modules/module-registry.js";
import type { BankParams } from "../modules/bank/bank-params.js";
import type { FederationParams } from "../modules/federation/federation-params.js";
import type { StakingParams } from "../modules/staking/staking-params.js";
import type { GovernanceParams } from "../modules/governance/governance-params.js";
import type { MarketParams } from "../modules/market/market-params.js";
import type { MeteringParams } from "../modules/metering/metering-params.js";
import type { PocParams } from "../modules/poc/poc-params.js";
import { uranusRegistry } from "../modules/uranus-modules.js";
import type { StateEntry, StateReader } from "../state/state-access.js";
import { StateOverlay } from "../state/state-overlay.js";

type Amount = bigint | number | string;
type ParamOverrides<P> = { [K in keyof P]?: P[K] extends bigint ? Amount : P[K] };

export interface GenesisAccountInput {
  address: string;
  balance: Amount;
}

export interface GenesisValidatorInput {
  /** The 0x account that operates the validator and owns its deposit. */
  operator: string;
  /** ed25519 public key in base64, as `pub_key.value` in CometBFT's priv_validator_key.json. */
  consensusPubKey: string;
  deposit: Amount;
  moniker?: string;
}

export interface GenesisInput {
  accounts?: readonly GenesisAccountInput[];
  validators?: readonly GenesisValidatorInput[];
  params?: {
    bank?: ParamOverrides<BankParams>;
    staking?: ParamOverrides<StakingParams>;
    poc?: ParamOverrides<PocParams>;
    market?: ParamOverrides<MarketParams>;
    metering?: ParamOverrides<MeteringParams>;
    federation?: ParamOverrides<FederationParams>;
    governance?: ParamOverrides<GovernanceParams>;
  } & Record<string, Record<string, Amount> | undefined>;
}

export interface GenesisAppState {
  params: Record<string, Record<string, string | number>>;
  accounts: { address: string; balance: string }[];
  validators: { operator: string; consensusPubKey: string; deposit: string; moniker: string }[];
}

const emptyState: StateReader = {
  get: () => undefined,
  entries: (): StateEntry[] => [],
};

function amountText(value: Amount): string {
  return typeof value === "bigint" ? value.toString() : String(value);
}

/**
 * The JSON `app_state` for genesis.json (CometBFT passes it to InitChain). Throws an error naming the first bad
 * field, exactly as InitChain would.
 */
export function buildGenesisAppState(
  input: GenesisInput,
  registry: ModuleRegistry = uranusRegistry,
): GenesisAppState {
  const params: Record<string, Record<string, string | number>> = {};
  for (const [module, overrides] of Object.entries(input.params ?? {}).sort((a, b) =>
    a[0] < b[0] ? -1 : 1,
  )) {
    if (!overrides) continue;
    const section: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(overrides).sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      section[name] = typeof value === "number" ? value : amountText(value);
    }
    params[module] = section;
  }
  const appState: GenesisAppState = {
    params,
    accounts: (input.accounts ?? []).map((a) => ({ address: a.address, balance: amountText(a.balance) })),
    validators: (input.validators ?? []).map((v) => ({
      operator: v.operator,
      consensusPubKey: v.consensusPubKey,
      deposit: amountText(v.deposit),
      moniker: v.moniker ?? "",
    })),
  };
  const scratch = new StateOverlay(emptyState);
  registry.initGenesis(new ExecContext(scratch, { height: 0, chainId: "genesis-check", timeMs: 0 }), {
    ...appState,
  });
  return appState;
}

/** The consensus public key (base64) from the JSON of a priv_validator_key.json file; the private key is not read. */
export function consensusPubKeyFromPrivValidatorKey(fileJson: string): string {
  const parsed = JSON.parse(fileJson) as { pub_key?: { type?: string; value?: unknown } };
  const pubKey = parsed.pub_key;
  if (pubKey?.type !== "tendermint/PubKeyEd25519" || typeof pubKey.value !== "string") {
    throw new Error("priv_validator_key.json: pub_key is not a tendermint/PubKeyEd25519 key");
  }
  return pubKey.value;
}
