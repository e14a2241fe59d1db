// The chain state the operator reads: the chain client's module queries, plus the parameters and validators the
// operator's decisions depend on.
import type { ChainClient } from "../../chain-sidecar/client/chain-client.js";
import type { AccountView } from "../../chain-sidecar/client/chain-views.js";
import type {
  FederationQueries,
  MarketQueries,
  MeteringQueries,
  PocQueries,
} from "../../chain-sidecar/client/module-queries.js";
import type { MarketParams } from "../../chain-sidecar/modules/market/market-types.js";
import type { MeteringParams } from "../../chain-sidecar/modules/metering/metering-types.js";
import type { PocParams } from "../../chain-sidecar/modules/poc/poc-types.js";
import type { FederationParams } from "../../chain-sidecar/modules/federation/federation-types.js";

/** The parameter sections the operator needs, as the chain holds them now. */
export interface OperatorParams {
  bank: { maxTxBytes: number };
  market: MarketParams;
  metering: MeteringParams;
  poc: Pick<PocParams, "heartbeatWindowBlocks" | "scuCpuMillicores" | "scuMemoryBytes" | "scuStorageBytes">;
  federation: Pick<FederationParams, "heartbeatTimeoutBlocks">;
}

export class ChainReader {
  /** The market, metering and PoC modules' typed reads, as the client makes them. */
  readonly market: MarketQueries;
  readonly metering: MeteringQueries;
  readonly poc: PocQueries;
  readonly federation: FederationQueries;

  constructor(readonly client: ChainClient) {
    ({ market: this.market, metering: this.metering, poc: this.poc, federation: this.federation } = client);
  }

  /** Operator addresses of jailed validators: a contributor whose owner is one of them is jailed too. */
  async jailedValidators(): Promise<Set<string>> {
    const validators = await this.client.validators();
    return new Set(validators.filter((v) => v.jailed).map((v) => v.operator.toLowerCase()));
  }

  account(address: string): Promise<AccountView> {
    return this.client.account(address);
  }

  async params(): Promise<OperatorParams> {
    const all = (await this.client.params()) as unknown as Record<string, Record<string, unknown>>;
    const section = (name: string): Record<string, unknown> => {
      const found = all[name];
      if (found === undefined) throw new Error(`the chain has no ${name} parameters`);
      return found;
    };
    return {
      bank: { maxTxBytes: Number(section("bank").maxTxBytes) },
      market: section("market") as unknown as MarketParams,
      metering: section("metering") as unknown as MeteringParams,
      poc: section("poc") as unknown as OperatorParams["poc"],
      federation: section("federation") as unknown as OperatorParams["federation"],
    };
  }
}
