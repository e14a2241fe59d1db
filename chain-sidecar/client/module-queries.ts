// Typed reads of the market, metering and PoC modules: stored records decoded by the modules' own codecs (so client
// and chain agree on every field), and the views the query handler computes.
import { decodeContract, decodeLease, type Contract, type Lease } from "../modules/market/market-records.js";
import { decodePod, type PodSettlement } from "../modules/metering/metering-records.js";
import { decodeNode, type ContributorRecord } from "../modules/poc/poc-records.js";
import type { ChainClient } from "./chain-client.js";
import type { BreachView, NodeStanding } from "./chain-views.js";

const decoder = new TextDecoder();

export class MarketQueries {
  constructor(private readonly client: ChainClient) {}

  async contract(id: string): Promise<Contract | undefined> {
    const bytes = await this.client.queryRecord(`/contract/${id}`);
    return bytes === undefined ? undefined : decodeContract(bytes);
  }

  async lease(podUid: string): Promise<Lease | undefined> {
    const bytes = await this.client.queryRecord(`/lease/${podUid}`);
    return bytes === undefined ? undefined : decodeLease(bytes);
  }

  /** The SLA breaches recorded for a contract. */
  async breaches(contractId: string): Promise<BreachView[]> {
    return (await this.client.queryJson(`/breaches/contract/${contractId}`)) as BreachView[];
  }
}

export class MeteringQueries {
  constructor(private readonly client: ChainClient) {}

  /** What metering has billed and paid for one pod. */
  async settlement(podUid: string): Promise<PodSettlement | undefined> {
    const bytes = await this.client.queryRecord(`/settlement/pod/${podUid}`);
    return bytes === undefined ? undefined : decodePod(bytes);
  }
}

export class PocQueries {
  constructor(private readonly client: ChainClient) {}

  async node(nodeId: string): Promise<ContributorRecord | undefined> {
    const bytes = await this.client.queryRecord(`/contributor/${nodeId}`);
    return bytes === undefined ? undefined : decodeNode(bytes);
  }

  /** One node with its PoC as of the last block, or undefined when it is not registered. */
  async standing(nodeId: string): Promise<NodeStanding | undefined> {
    const bytes = await this.client.queryRecord(`/poc/node/${nodeId}`);
    return bytes === undefined ? undefined : (JSON.parse(decoder.decode(bytes)) as NodeStanding);
  }

  /** Every registered node with its PoC, in node id order. */
  async standings(): Promise<NodeStanding[]> {
    return (await this.client.queryJson("/contributors")) as NodeStanding[];
  }
}
