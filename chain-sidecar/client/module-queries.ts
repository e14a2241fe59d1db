// Typed reads of the market, metering and PoC modules: stored records decoded by the modules' own codecs (so client
// and chain agree on every field), and the views the query handler computes.
import { decodeContract, decodeLease, type Contract, type Lease } from "../modules/market/market-records.js";
import { decodePod, type PodSettlement } from "../modules/metering/metering-records.js";
import { decodeNode, type ContributorRecord } from "../modules/poc/poc-records.js";
import type { ChainClient } from "./chain-client.js";
import type { BreachView, NodeStanding } from "./chain-views.js";

const decoder = new TextDecoder();

/** The record the chain stores at `path`, decoded; undefined when there is none. */
async function recordAt<T>(
  client: ChainClient,
  path: string,
  decode: (bytes: Uint8Array) => T,
): Promise<T | undefined> {
  const bytes = await client.queryRecord(path);
  return bytes === undefined ? undefined : decode(bytes);
}

export class MarketQueries {
  constructor(private readonly client: ChainClient) {}

  contract(id: string): Promise<Contract | undefined> {
    return recordAt(this.client, `/contract/${id}`, decodeContract);
  }

  lease(podUid: string): Promise<Lease | undefined> {
    return recordAt(this.client, `/lease/${podUid}`, decodeLease);
  }

  /** The SLA breaches recorded for a contract. */
  async breaches(contractId: string): Promise<BreachView[]> {
    return (await this.client.queryJson(`/breaches/contract/${contractId}`)) as BreachView[];
  }
}

export class MeteringQueries {
  constructor(private readonly client: ChainClient) {}

  /** What metering has billed and paid for one pod. */
  settlement(podUid: string): Promise<PodSettlement | undefined> {
    return recordAt(this.client, `/settlement/pod/${podUid}`, decodePod);
  }
}

export class PocQueries {
  constructor(private readonly client: ChainClient) {}

  node(nodeId: string): Promise<ContributorRecord | undefined> {
    return recordAt(this.client, `/contributor/${nodeId}`, decodeNode);
  }

  /** One node with its PoC as of the last block, or undefined when it is not registered. */
  standing(nodeId: string): Promise<NodeStanding | undefined> {
    return recordAt(
      this.client,
      `/poc/node/${nodeId}`,
      (bytes) => JSON.parse(decoder.decode(bytes)) as NodeStanding,
    );
  }

  /** Every registered node with its PoC, in node id order. */
  async standings(): Promise<NodeStanding[]> {
    return (await this.client.queryJson("/contributors")) as NodeStanding[];
  }
}
