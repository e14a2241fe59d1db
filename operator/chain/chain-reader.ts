// The chain state the operator reads, decoded by the chain's own record codecs so both sides agree on every field.
import type { ChainClient } from "../../chain-sidecar/client/chain-client.js";
import { ChainQueryError } from "../../chain-sidecar/client/chain-errors.js";
import type { AccountView } from "../../chain-sidecar/client/chain-views.js";
import {
  decodeContract,
  decodeLease,
  type Contract,
  type Lease,
} from "../../chain-sidecar/modules/market/market-records.js";
import type { MarketParams } from "../../chain-sidecar/modules/market/market-params.js";
import type { MeteringParams } from "../../chain-sidecar/modules/metering/metering-params.js";
import { decodePod, type PodSettlement } from "../../chain-sidecar/modules/metering/metering-records.js";
import type { PocParams } from "../../chain-sidecar/modules/poc/poc-params.js";
import {
  decodeNode,
  type ContributorRecord as ChainNode,
} from "../../chain-sidecar/modules/poc/poc-records.js";
import { ResultCode } from "../../chain-sidecar/tx/result-codes.js";

export type { ChainNode, Contract, Lease, PodSettlement };

/** One node as the /contributors view shows it: stored fields plus PoC computed at the last block. */
export interface NodeStanding {
  nodeId: string;
  owner: string;
  operator: string;
  online: boolean;
  onlineSinceMs: number;
  activeLeases: number;
  breaches: number;
  poc: { basic: string; service: string; chain: string; total: string };
}

/** The parameter sections the operator needs, as the chain holds them now. */
export interface OperatorParams {
  bank: { maxTxBytes: number };
  market: MarketParams;
  metering: MeteringParams;
  poc: Pick<PocParams, "heartbeatWindowBlocks" | "scuCpuMillicores" | "scuMemoryBytes" | "scuStorageBytes">;
}

/** One recorded SLA breach, as /breaches/contract/:id lists it. */
export interface BreachView {
  podUid: string;
  kind: "recovery" | "migrations" | "availability";
  nodeId: string;
  replica: number;
  seconds: number;
}

export class ChainReader {
  constructor(readonly client: ChainClient) {}

  /** The raw bytes of a stored record, or undefined when the chain says it does not exist. */
  private async record(path: string): Promise<Uint8Array | undefined> {
    const answer = await this.client.comet.abciQuery({ path, data: new Uint8Array() });
    const code = answer.code ?? 0;
    if (code === ResultCode.NOT_FOUND) return undefined;
    if (code !== 0) throw new ChainQueryError(path, code, answer.log ?? "");
    return answer.value;
  }

  async contract(id: string): Promise<Contract | undefined> {
    const bytes = await this.record(`/contract/${id}`);
    return bytes === undefined ? undefined : decodeContract(bytes);
  }

  async lease(podUid: string): Promise<Lease | undefined> {
    const bytes = await this.record(`/lease/${podUid}`);
    return bytes === undefined ? undefined : decodeLease(bytes);
  }

  async settlement(podUid: string): Promise<PodSettlement | undefined> {
    const bytes = await this.record(`/settlement/pod/${podUid}`);
    return bytes === undefined ? undefined : decodePod(bytes);
  }

  async node(nodeId: string): Promise<ChainNode | undefined> {
    const bytes = await this.record(`/contributor/${nodeId}`);
    return bytes === undefined ? undefined : decodeNode(bytes);
  }

  /** One node with its PoC as of the last block, or undefined when it is not registered. */
  async standing(nodeId: string): Promise<NodeStanding | undefined> {
    const path = `/poc/node/${nodeId}`;
    const answer = await this.client.comet.abciQuery({ path, data: new Uint8Array() });
    const code = answer.code ?? 0;
    if (code === ResultCode.NOT_FOUND) return undefined;
    if (code !== 0) throw new ChainQueryError(path, code, answer.log ?? "");
    return JSON.parse(new TextDecoder().decode(answer.value)) as NodeStanding;
  }

  /** The SLA breaches recorded for a contract. */
  async breaches(contractId: string): Promise<BreachView[]> {
    return (await this.client.queryJson(`/breaches/contract/${contractId}`)) as BreachView[];
  }

  /** Every registered node with its PoC, in node id order. */
  async standings(): Promise<NodeStanding[]> {
    return (await this.client.queryJson("/contributors")) as NodeStanding[];
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
    };
  }
}
