// Member clusters and their orders, as transactions change them (the block end's failover and assignment:
// assignment-keeper.ts). The federation module owns the `federation/` prefix.
//
// A cluster is bound to the account that first registered it, and only that account heartbeats, reports its orders
// and becomes the operator of the contracts assigned to it. An order opens its contract through the market, so the
// escrow and the contract id are exactly those of OpenContract.
import { ZeroAddress } from "ethers";
import { encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError } from "../../tx/tx-error.js";
import type { BlockInfo } from "../exec-context.js";
import type { Contract } from "../market/market-types.js";
import { readParams } from "../params/params-keeper.js";
import type { ContractMarket } from "./expected-keepers.js";
import {
  checkClusterOffer,
  checkEndpointsOf,
  checkOrderWorkload,
  checkSealedSize,
} from "./federation-checks.js";
import type {
  ClusterHeartbeat,
  OpenOrder,
  RegisterCluster,
  ReportOrder,
  SealOrderEnv,
} from "./federation-messages.js";
import { federationParams, type FederationParams } from "./federation-params.js";
import {
  CLUSTER_PREFIX,
  OPEN_PREFIX,
  assignedIndexKey,
  assignedPrefix,
  clusterKey,
  decodeCluster,
  decodeOrder,
  encodeCluster,
  encodeOrder,
  openIndexKey,
  operatorIndexKey,
  orderKey,
  type Cluster,
  type Order,
  type Placement,
} from "./federation-records.js";

export function readCluster(state: StateReader, id: string): Cluster | undefined {
  const bytes = state.get(clusterKey(id));
  return bytes ? decodeCluster(bytes) : undefined;
}

export function readAllClusters(state: StateReader): Cluster[] {
  return state.entries(CLUSTER_PREFIX).map(([, bytes]) => decodeCluster(bytes));
}

export function readOrder(state: StateReader, contractId: string): Order | undefined {
  const bytes = state.get(orderKey(contractId));
  return bytes ? decodeOrder(bytes) : undefined;
}

/** The orders whose ids an index lists under `prefix`, in id order. */
function ordersUnder(state: StateReader, prefix: string): Order[] {
  return state.entries(prefix).flatMap(([key]) => {
    const order = readOrder(state, key.slice(prefix.length));
    return order ? [order] : [];
  });
}

export function readOpenOrders(state: StateReader): Order[] {
  return ordersUnder(state, OPEN_PREFIX);
}

export function readOrdersOf(state: StateReader, clusterId: string): Order[] {
  return ordersUnder(state, assignedPrefix(clusterId));
}

/** Forgets what the assigned cluster reported, when the order changes hands. */
export function clearReport(order: Order): void {
  order.phase = "";
  order.readyReplicas = 0;
  order.endpoints = [];
  order.reportedHeight = 0;
}

/** A heartbeat, and the orders of closed contracts it let go of. */
export interface HeartbeatChange {
  cluster: Cluster;
  cameOnline: boolean;
  closed: Order[];
}

/** The one federation keeper of the app, over the market that holds the orders' contracts. */
export class FederationKeeper {
  constructor(private readonly market: ContractMarket) {}

  params(state: StateReader): FederationParams {
    return readParams(state, federationParams);
  }

  /** `id` has passed checkMemberClusterId. */
  requireCluster(state: StateReader, id: string, field: string): Cluster {
    const cluster = readCluster(state, id);
    if (!cluster) throw new TxError(ResultCode.NOT_FOUND, `${field}: cluster ${id} is not registered`);
    return cluster;
  }

  requireOrder(state: StateReader, contractId: string, field: string): Order {
    const order = readOrder(state, contractId);
    if (!order) throw new TxError(ResultCode.NOT_FOUND, `${field}: contract ${contractId} has no order`);
    return order;
  }

  saveCluster(state: StateWriter, cluster: Cluster): void {
    state.set(clusterKey(cluster.id), encodeCluster(cluster));
  }

  saveOrder(state: StateWriter, order: Order): void {
    state.set(orderKey(order.contractId), encodeOrder(order));
  }

  /** Files the order under the index of its state: open, or the cluster that holds it. */
  index(state: StateWriter, order: Order): void {
    const entry = encodeRecord({ contractId: order.contractId });
    if (order.state === "open") state.set(openIndexKey(order.contractId), entry);
    else state.set(assignedIndexKey(order.assignedCluster, order.contractId), entry);
  }

  /** Takes the order out of the index of its state. */
  unindex(state: StateWriter, order: Order): void {
    if (order.state === "open") state.delete(openIndexKey(order.contractId));
    else state.delete(assignedIndexKey(order.assignedCluster, order.contractId));
  }

  /** Deletes the order and its index entry (its contract stays with the market). */
  drop(state: StateWriter, order: Order): void {
    this.unindex(state, order);
    state.delete(orderKey(order.contractId));
  }

  /** Whether the order's contract is closed (or gone), so the order has nothing left to run. */
  contractEnded(state: StateReader, order: Order): boolean {
    const contract = this.market.contract(state, order.contractId);
    return contract === undefined || contract.state === "closed";
  }

  private requireOperator(cluster: Cluster, sender: string, what: string): void {
    if (sender !== cluster.operator)
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `${what}: ${sender} is not the operator ${cluster.operator} of cluster ${cluster.id}`,
      );
  }

  /** `msg` has passed checkRegisterCluster; a registration is also a sign of life. */
  register(
    state: StateWriter,
    sender: string,
    msg: RegisterCluster,
    block: BlockInfo,
  ): { cluster: Cluster; created: boolean; cameOnline: boolean } {
    const { regions, isolation } = checkClusterOffer(msg, this.params(state));
    const existing = readCluster(state, msg.clusterId);
    if (existing) this.requireOperator(existing, sender, "RegisterCluster.clusterId");
    const cluster: Cluster = existing ?? {
      id: msg.clusterId,
      operator: sender,
      regions: [],
      isolation: [],
      endpointHost: "",
      portFirst: 0,
      portLast: 0,
      encryptionKey: "",
      freeScu: 0,
      online: false,
      lastHeartbeatHeight: 0,
      registeredHeight: block.height,
      assigned: 0,
      failovers: 0,
      validatorSilentSince: 0,
      offlineHeight: 0,
    };
    const cameOnline = existing !== undefined && !existing.online;
    Object.assign(cluster, {
      regions,
      isolation,
      endpointHost: msg.endpointHost,
      portFirst: Number(msg.portFirst),
      portLast: Number(msg.portLast),
      encryptionKey: msg.encryptionKey.toLowerCase(),
      online: true,
      lastHeartbeatHeight: block.height,
    });
    this.saveCluster(state, cluster);
    if (existing === undefined)
      state.set(operatorIndexKey(sender, cluster.id), encodeRecord({ clusterId: cluster.id }));
    return { cluster, created: existing === undefined, cameOnline };
  }

  /** SCU the order's contract takes now: its size may have changed since the order opened (a resize). */
  currentScu(state: StateReader, order: Order): number {
    const contract = this.market.contract(state, order.contractId);
    return contract === undefined ? order.scu : contract.scuPerReplica * contract.replicas;
  }

  /**
   * Keeps the cluster online and takes its free SCU, less what its orders' replicas not yet ready will take: the
   * operator counts only what runs, so an order assigned since would otherwise count as free again. The orders it
   * holds of contracts closed since are dropped here, lazily, so the block end never reads every assigned order.
   */
  heartbeat(state: StateWriter, sender: string, msg: ClusterHeartbeat, block: BlockInfo): HeartbeatChange {
    const cluster = this.requireCluster(state, msg.clusterId, "ClusterHeartbeat.clusterId");
    this.requireOperator(cluster, sender, "ClusterHeartbeat");
    const cameOnline = !cluster.online;
    cluster.online = true;
    cluster.lastHeartbeatHeight = block.height;
    const held = readOrdersOf(state, cluster.id);
    const closed = held.filter((order) => this.contractEnded(state, order));
    for (const order of closed) this.drop(state, order);
    const coming = held
      .filter((order) => !closed.includes(order))
      .reduce((sum, order) => sum + this.notReadyScu(state, order), 0);
    cluster.freeScu = Math.max(0, Number(msg.freeScu) - coming);
    cluster.assigned = Math.max(0, cluster.assigned - closed.length);
    this.saveCluster(state, cluster);
    return { cluster, cameOnline, closed };
  }

  /** SCU of the order's replicas its cluster has not reported ready. */
  private notReadyScu(state: StateReader, order: Order): number {
    const contract = this.market.contract(state, order.contractId);
    if (contract === undefined) return 0;
    return contract.scuPerReplica * Math.max(0, contract.replicas - order.readyReplicas);
  }

  /** `msg` has passed checkOpenOrder; the market checks the terms and takes the budget into escrow. */
  openOrder(
    state: StateWriter,
    sender: string,
    msg: OpenOrder,
    block: BlockInfo,
  ): { order: Order; contract: Contract } {
    const workload = checkOrderWorkload(msg.workload, this.params(state));
    this.requireCluster(state, msg.clusterId, "OpenOrder.clusterId");
    const { placement, isolation, workload: _workload, ...terms } = msg;
    const contract = this.market.open(state, sender, { ...terms, operator: ZeroAddress }, block, "OpenOrder");
    const repeated = readOrder(state, contract.id);
    if (repeated)
      throw new TxError(
        ResultCode.DUPLICATE,
        `OpenOrder.clientRef: contract ${contract.id} already has an order (${repeated.state})`,
      );
    const order: Order = {
      contractId: contract.id,
      payer: sender,
      homeCluster: msg.clusterId,
      placement: placement as Placement,
      isolation,
      workload,
      scu: contract.scuPerReplica * contract.replicas,
      regions: [...contract.regions],
      state: "open",
      assignedCluster: "",
      epoch: 0,
      assignedHeight: 0,
      phase: "",
      readyReplicas: 0,
      endpoints: [],
      reportedHeight: 0,
      sealed: "",
      sealedEpoch: 0,
      previousClusters: [],
    };
    this.saveOrder(state, order);
    this.index(state, order);
    return { order, contract };
  }

  /** The order is held by a cluster, and `epoch` is the epoch it holds it in. */
  private requireCurrentEpoch(order: Order, epoch: bigint, message: string): void {
    if (order.state !== "assigned")
      throw new TxError(
        ResultCode.WRONG_STATE,
        `${message}.contractId: order ${order.contractId} is open, held by no cluster (its last epoch was ${order.epoch})`,
      );
    if (epoch !== BigInt(order.epoch))
      throw new TxError(
        ResultCode.STALE_EPOCH,
        `${message}.epoch: epoch ${epoch} is not the current epoch ${order.epoch} of order ${order.contractId} (held by cluster ${order.assignedCluster})`,
      );
  }

  /** `msg` has passed checkReportOrder. */
  report(state: StateWriter, sender: string, msg: ReportOrder, block: BlockInfo): Order {
    const order = this.requireOrder(state, msg.contractId, "ReportOrder.contractId");
    this.requireCurrentEpoch(order, msg.epoch, "ReportOrder");
    const cluster = this.requireCluster(state, order.assignedCluster, "ReportOrder.contractId");
    this.requireOperator(cluster, sender, "ReportOrder");
    checkEndpointsOf(cluster, msg.endpoints);
    order.phase = msg.phase;
    order.readyReplicas = Number(msg.readyReplicas);
    order.endpoints = [...msg.endpoints];
    order.reportedHeight = block.height;
    this.saveOrder(state, order);
    return order;
  }

  /** `msg` has passed checkSealOrderEnv. */
  seal(state: StateWriter, sender: string, msg: SealOrderEnv): Order {
    const order = this.requireOrder(state, msg.contractId, "SealOrderEnv.contractId");
    if (sender !== order.payer)
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `SealOrderEnv: only the payer ${order.payer} may seal the environment of order ${order.contractId}`,
      );
    this.requireCurrentEpoch(order, msg.epoch, "SealOrderEnv");
    order.sealed = checkSealedSize(msg.sealed, this.params(state));
    order.sealedEpoch = order.epoch;
    this.saveOrder(state, order);
    return order;
  }
}
