// Builders for federation tests: member clusters run by deterministic wallets, valid orders, and a chain to run them on.
import { contractTerms } from "../market/economy-fixtures.js";
import type { Wallet } from "ethers";
import type { GenesisInput } from "../../../../../chain-sidecar/genesis/app-state.js";
import type { ChainEvent } from "../../../../../chain-sidecar/modules/exec-context.js";
import {
  ClusterHeartbeatMsg,
  OpenOrderMsg,
  RegisterClusterMsg,
  type OpenOrder,
  type RegisterCluster,
} from "../../../../../chain-sidecar/modules/federation/federation-messages.js";
import type { Cluster, Order } from "../../../../../chain-sidecar/modules/federation/federation-records.js";
import { testWallet } from "../../app-harness.js";
import { EconomyChain } from "../market/economy-harness.js";

/** A cluster operator: the wallet's lowercase address is the sender, its public key the encryption key. */
export interface Member {
  wallet: Wallet;
  address: string;
}

export function member(label: string): Member {
  const wallet = testWallet(`federation-${label}`);
  return { wallet, address: wallet.address.toLowerCase() };
}

/** A valid registration of `clusterId` by `operator`. */
export function clusterOffer(
  clusterId: string,
  operator: Member,
  overrides: Partial<RegisterCluster> = {},
): RegisterCluster {
  return {
    clusterId,
    regions: ["eu-west"],
    isolation: ["runc"],
    endpointHost: `${clusterId}.example.net`,
    portFirst: 30_000n,
    portLast: 30_099n,
    encryptionKey: operator.wallet.signingKey.compressedPublicKey,
    ...overrides,
  };
}

export const NGINX = JSON.stringify({ image: "nginx:1.27", ports: [{ name: "http", port: 80 }] });

let orders = 0;

/** Valid order terms from `clusterId` (market's contract terms, no operator); each call stands for another object unless `clientRef` is given. */
export function orderTerms(clusterId: string, overrides: Partial<OpenOrder> = {}): OpenOrder {
  orders += 1;
  const { operator: _operator, ...terms } = contractTerms({ clusterId, clientRef: `order-${orders}` });
  return { ...terms, placement: "any", isolation: "", workload: NGINX, ...overrides };
}

/** A chain where `payer` holds 10^12 and the cluster timeout is short. */
export function federationChain(payer: string, params: GenesisInput["params"] = {}): EconomyChain {
  return new EconomyChain({
    accounts: [{ address: payer, balance: 10n ** 12n }],
    params: { federation: { heartbeatTimeoutBlocks: 5 }, ...params },
  });
}

/** Registers `clusterId` for `operator` and reports `freeScu`. */
export function join(
  chain: EconomyChain,
  clusterId: string,
  operator: Member,
  freeScu: bigint,
  overrides: Partial<RegisterCluster> = {},
): void {
  chain.ok(operator.address, RegisterClusterMsg, clusterOffer(clusterId, operator, overrides));
  beat(chain, clusterId, operator, freeScu);
}

export function beat(chain: EconomyChain, clusterId: string, operator: Member, freeScu: bigint): void {
  chain.ok(operator.address, ClusterHeartbeatMsg, { clusterId, freeScu });
}

/** Opens an order and returns its contract id. */
export function openOrder(chain: EconomyChain, payer: string, terms: OpenOrder): string {
  const opened = chain.ok(payer, OpenOrderMsg, terms).events.find((e) => e.type === "order_opened");
  return attribute(opened!, "contract");
}

export function attribute(event: ChainEvent, key: string): string {
  const found = event.attributes.find(([name]) => name === key);
  if (found === undefined) throw new Error(`${event.type} has no ${key}`);
  return found[1];
}

/** The events of one type, each as an object of its attributes. */
export function eventsOf(events: readonly ChainEvent[], type: string): Record<string, string>[] {
  return events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes));
}

export function cluster(chain: EconomyChain, id: string): Cluster {
  return chain.query<Cluster>(`/cluster/${id}`);
}

export function order(chain: EconomyChain, contractId: string): Order {
  return chain.query<Order>(`/order/${contractId}`);
}
