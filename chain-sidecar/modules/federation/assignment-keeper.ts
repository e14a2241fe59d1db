// The federation's block end, in order: clusters that missed their heartbeats go offline and lose their orders;
// open orders of closed contracts are dropped; open orders are assigned to online clusters.
//
// Deterministic: clusters and orders are read in key order, candidates are ranked by poc's partition round-robin
// with a draw key made of the contract id and the new epoch, and maps are only looked up, never iterated.
import type { StateReader, StateWriter } from "../../state/state-access.js";
import type { BlockInfo } from "../exec-context.js";
import { rankForPod, type PlacementCandidate } from "../poc/poc-types.js";
import { offlineReason, type OfflineReason } from "./cluster-liveness.js";
import type { ContractMarket, NodePoc } from "./expected-keepers.js";
import {
  clearReport,
  readAllClusters,
  readOpenOrders,
  readOrdersOf,
  type FederationKeeper,
} from "./federation-keeper.js";
import type { Cluster, Order } from "./federation-records.js";
import type { Lease } from "../market/market-types.js";

/** A cluster that went offline, and why: the orders taken from it, and those of closed contracts it held. */
export interface ClusterOffline {
  cluster: Cluster;
  reason: OfflineReason;
  unassigned: Order[];
  closed: Order[];
  /** The leases the cluster held under its reopened orders, ended as failed. */
  endedLeases: Lease[];
}

export interface Assignment {
  order: Order;
  cluster: Cluster;
}

interface ClusterCandidate extends PlacementCandidate {
  readonly cluster: Cluster;
}

/** Whether the cluster may take the order: capacity, a shared region, the runtime, and the placement. */
export function fits(cluster: Cluster, order: Order): boolean {
  return (
    cluster.online &&
    cluster.freeScu >= order.scu &&
    (order.regions.length === 0 || cluster.regions.some((region) => order.regions.includes(region))) &&
    (order.isolation === "" || cluster.isolation.includes(order.isolation)) &&
    !(order.placement === "others" && cluster.id === order.homeCluster)
  );
}

/** The draw key of an order's next assignment, so each epoch draws afresh. */
export function drawKey(order: Order): string {
  return `${order.contractId}/${order.epoch + 1}`;
}

/** The one assignment keeper of the app, over the federation keeper, the market and the contributor nodes. */
export class AssignmentKeeper {
  constructor(
    private readonly federation: FederationKeeper,
    private readonly market: ContractMarket,
    private readonly nodes: NodePoc,
  ) {}

  /** Takes offline every online cluster that stopped showing life (cluster-liveness.ts), and reopens its orders. */
  sweepOffline(state: StateWriter, block: BlockInfo): ClusterOffline[] {
    const params = this.federation.params(state);
    const offline: ClusterOffline[] = [];
    for (const cluster of readAllClusters(state)) {
      const reason = cluster.online ? offlineReason(cluster, block.height, params) : undefined;
      if (reason === undefined) continue;
      cluster.online = false;
      cluster.offlineHeight = block.height;
      const unassigned: Order[] = [];
      const closed: Order[] = [];
      const endedLeases: Lease[] = [];
      for (const order of readOrdersOf(state, cluster.id)) {
        if (this.federation.contractEnded(state, order)) {
          this.federation.drop(state, order);
          closed.push(order);
          continue;
        }
        this.federation.unindex(state, order);
        order.state = "open";
        order.assignedCluster = "";
        order.previousClusters = [...order.previousClusters, cluster.id];
        clearReport(order);
        this.federation.saveOrder(state, order);
        this.federation.index(state, order);
        endedLeases.push(...this.market.handOver(state, order.contractId, "", block));
        unassigned.push(order);
      }
      cluster.assigned = 0;
      if (unassigned.length > 0) cluster.failovers += 1;
      this.federation.saveCluster(state, cluster);
      offline.push({ cluster, reason, unassigned, closed, endedLeases });
    }
    return offline;
  }

  /** Drops the open orders whose contracts closed (assigned ones go at their cluster's next heartbeat). */
  dropClosed(state: StateWriter): Order[] {
    const closed = readOpenOrders(state).filter((order) => this.federation.contractEnded(state, order));
    for (const order of closed) this.federation.drop(state, order);
    return closed;
  }

  /** Assigns open orders in contract id order, up to maxAssignmentsPerBlock, each to the first-ranked fitting cluster. */
  assignOpen(state: StateWriter, block: BlockInfo): Assignment[] {
    const open = readOpenOrders(state);
    if (open.length === 0) return [];
    const clusters = readAllClusters(state).filter((cluster) => cluster.online);
    if (clusters.length === 0) return [];
    const pocOf = this.pocByOperator(state, clusters, block);
    const limit = this.federation.params(state).maxAssignmentsPerBlock;
    const assignments: Assignment[] = [];
    for (const order of open) {
      if (assignments.length >= limit) break;
      order.scu = this.federation.currentScu(state, order);
      const candidates: ClusterCandidate[] = clusters
        .filter((cluster) => fits(cluster, order))
        .map((cluster) => ({ name: cluster.id, poc: pocOf.get(cluster.operator) ?? 0n, cluster }));
      const first = rankForPod(candidates, drawKey(order)).ranking[0];
      if (first === undefined) continue;
      this.assign(state, order, first.candidate.cluster, block);
      assignments.push({ order, cluster: first.candidate.cluster });
    }
    return assignments;
  }

  /** The order goes to the cluster in a new epoch; its capacity shrinks in memory too, so later orders see it. */
  private assign(state: StateWriter, order: Order, cluster: Cluster, block: BlockInfo): void {
    this.federation.unindex(state, order);
    order.state = "assigned";
    order.assignedCluster = cluster.id;
    order.epoch += 1;
    order.assignedHeight = block.height;
    clearReport(order);
    order.sealed = "";
    order.sealedEpoch = 0;
    this.federation.saveOrder(state, order);
    this.federation.index(state, order);
    cluster.freeScu = Math.max(0, cluster.freeScu - order.scu);
    cluster.assigned += 1;
    this.federation.saveCluster(state, cluster);
    this.market.handOver(state, order.contractId, cluster.operator, block);
  }

  /** Σ PoC totals of the nodes each cluster's operator operates, read once per block end. */
  private pocByOperator(
    state: StateReader,
    clusters: readonly Cluster[],
    block: BlockInfo,
  ): Map<string, bigint> {
    const sums = new Map<string, bigint>(clusters.map((cluster) => [cluster.operator, 0n]));
    for (const node of this.nodes.nodes(state)) {
      const sum = sums.get(node.operator);
      if (sum !== undefined) sums.set(node.operator, sum + this.nodes.pocTotal(state, node, block));
    }
    return sums;
  }
}
