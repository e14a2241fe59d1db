// Typed reads of the market, metering, PoC and federation modules: stored records decoded by the modules' own codecs (so client
// and chain agree on every field), and the views the query handler computes.
import type { JsonValue } from "../state/canonical-json.js";
import {
  CLUSTER_RECORD,
  ORDER_RECORD,
  decodeCluster,
  decodeOrder,
  type Cluster,
  type Order,
} from "../modules/federation/federation-records.js";
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

export class FederationQueries {
  constructor(private readonly client: ChainClient) {}

  /** One member cluster, or undefined when it is not registered. */
  cluster(id: string): Promise<Cluster | undefined> {
    return recordAt(this.client, `/cluster/${id}`, decodeCluster);
  }

  /** The order of a contract, or undefined when the contract was not opened as an order (or it closed). */
  order(contractId: string): Promise<Order | undefined> {
    return recordAt(this.client, `/order/${contractId}`, decodeOrder);
  }

  /** Every member cluster, in id order. */
  async clusters(): Promise<Cluster[]> {
    const list = (await this.client.queryJson("/clusters")) as Record<string, JsonValue>[];
    return list.map((json) => CLUSTER_RECORD.fromJson(json));
  }

  /** The orders one cluster holds, in contract id order. */
  ordersOf(clusterId: string): Promise<Order[]> {
    return this.orders(`/orders/cluster/${clusterId}`);
  }

  /** The orders waiting for a cluster, in contract id order. */
  openOrders(): Promise<Order[]> {
    return this.orders("/orders/open");
  }

  private async orders(path: string): Promise<Order[]> {
    const list = (await this.client.queryJson(path)) as Record<string, JsonValue>[];
    return list.map((json) => ORDER_RECORD.fromJson(json));
  }
}
