// The steps of a contract's life that economy tests take again and again: a payer and a registered node, then
// open a contract, lease a pod, meter the pod.
import type { GenesisInput } from "../../../../../chain-sidecar/genesis/app-state.js";
import {
  OpenContractMsg,
  RecordLeaseMsg,
  type OpenContract,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import type { MeteringBatch } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { RegisterNodeMsg, type RegisterNode } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { EconomyChain, type Delivered } from "../market/economy-harness.js";
import { batchOf, contractTerms, meterRecord, nodeOffer, openedId } from "../market/economy-fixtures.js";

export interface PayerAndNode {
  payer: string;
  /** 10^12 unless given. */
  balance?: bigint;
  /** Registers `node` (nodeOffer("node-a") unless given). */
  owner: string;
  node?: RegisterNode;
  params?: GenesisInput["params"];
}

/** A chain in which `payer` holds `balance` and `owner` has registered a node. */
export function chainWithPayerAndNode(setup: PayerAndNode): EconomyChain {
  const chain = new EconomyChain({
    accounts: [{ address: setup.payer, balance: setup.balance ?? 10n ** 12n }],
    ...(setup.params === undefined ? {} : { params: setup.params }),
  });
  chain.ok(setup.owner, RegisterNodeMsg, setup.node ?? nodeOffer("node-a"));
  return chain;
}

/** Opens a contract on `contractTerms(overrides)` for `payer` and returns its id. */
export function openContract(
  chain: EconomyChain,
  payer: string,
  overrides: Partial<OpenContract> = {},
): string {
  return openedId(chain.ok(payer, OpenContractMsg, contractTerms(overrides)).events);
}

export interface PodLease {
  contractId: string;
  podUid: string;
  /** "node-a" unless given. */
  nodeId?: string;
  /** 0 unless given. */
  replica?: bigint;
  /** The current block's time unless given. */
  startedAt?: number;
}

/** Records the lease of a pod by the contract's payer; throws unless it succeeds. */
export function leasePod(chain: EconomyChain, payer: string, lease: PodLease): Delivered {
  return chain.ok(payer, RecordLeaseMsg, {
    contractId: lease.contractId,
    replica: lease.replica ?? 0n,
    nodeId: lease.nodeId ?? "node-a",
    podUid: lease.podUid,
    startedAt: BigInt(lease.startedAt ?? chain.seconds),
  });
}

/** A node owner's batch of one record: the pod ran on the node from `from` to `to` (seconds). */
export function oneRecordBatch(
  owner: string,
  podUid: string,
  contractId: string,
  nodeId: string,
  from: number,
  to: number,
): MeteringBatch {
  return batchOf(owner, [meterRecord(podUid, contractId, nodeId, from, to)]);
}
