// The federation module: thin handlers over the keepers, failover and assignment at block end, cluster and order
// queries.
import type { JsonValue } from "../../state/canonical-json.js";
import type { StateReader } from "../../state/state-access.js";
import { handles, recordQuery, type ChainModule, type QueryAnswer } from "../chain-module.js";
import type { ExecContext } from "../exec-context.js";
import { checkContractId } from "../identifiers.js";
import { leaseEndedEvent, openedEvent } from "../market/market-module.js";
import type { AssignmentKeeper } from "./assignment-keeper.js";
import type { ClusterLiveness } from "./cluster-liveness.js";
import {
  checkClusterHeartbeat,
  checkMemberClusterId,
  checkOpenOrder,
  checkRegisterCluster,
  checkReportOrder,
  checkSealOrderEnv,
} from "./federation-checks.js";
import { readAllClusters, readOpenOrders, readOrdersOf, type FederationKeeper } from "./federation-keeper.js";
import {
  ClusterHeartbeatMsg,
  OpenOrderMsg,
  RegisterClusterMsg,
  ReportOrderMsg,
  SealOrderEnvMsg,
} from "./federation-messages.js";
import { federationParams } from "./federation-params.js";
import {
  CLUSTER_RECORD,
  ORDER_RECORD,
  clusterKey,
  orderKey,
  type Cluster,
  type Order,
} from "./federation-records.js";

function onlineEvent(ctx: ExecContext, cluster: Cluster): void {
  ctx.emit("cluster_online", { cluster: cluster.id, operator: cluster.operator });
}

function closedEvent(ctx: ExecContext, order: Order, cluster: string): void {
  ctx.emit("order_closed", { contract: order.contractId, cluster });
}

function ordersView(orders: readonly Order[]): QueryAnswer {
  return { kind: "view", value: orders.map((order) => ORDER_RECORD.toJson(order)) };
}

function clustersView(state: StateReader): JsonValue {
  return readAllClusters(state).map((cluster) => CLUSTER_RECORD.toJson(cluster));
}

/** The federation module over the app's federation and assignment keepers (wired in uranus-modules.ts). */
export function federationModule(
  federation: FederationKeeper,
  assignments: AssignmentKeeper,
  liveness: ClusterLiveness,
): ChainModule {
  return {
    name: "federation",
    params: federationParams,
    messages: [
      handles(RegisterClusterMsg, (ctx, msg) => {
        checkRegisterCluster(msg, ctx.sender);
        const { cluster, created, cameOnline } = federation.register(ctx.state, ctx.sender, msg, ctx.block);
        ctx.emit(created ? "cluster_registered" : "cluster_updated", {
          cluster: cluster.id,
          operator: cluster.operator,
          regions: cluster.regions.join(","),
          isolation: cluster.isolation.join(","),
        });
        if (cameOnline) onlineEvent(ctx, cluster);
      }),
      handles(ClusterHeartbeatMsg, (ctx, msg) => {
        checkClusterHeartbeat(msg);
        const { cluster, cameOnline, closed } = federation.heartbeat(ctx.state, ctx.sender, msg, ctx.block);
        if (cameOnline) onlineEvent(ctx, cluster);
        for (const order of closed) closedEvent(ctx, order, cluster.id);
      }),
      handles(OpenOrderMsg, (ctx, msg) => {
        checkOpenOrder(msg);
        const { order, contract } = federation.openOrder(ctx.state, ctx.sender, msg, ctx.block);
        openedEvent(ctx, contract);
        ctx.emit("order_opened", {
          contract: order.contractId,
          payer: order.payer,
          home_cluster: order.homeCluster,
          placement: order.placement,
          isolation: order.isolation,
          scu: order.scu,
        });
      }),
      handles(ReportOrderMsg, (ctx, msg) => {
        checkReportOrder(msg);
        const order = federation.report(ctx.state, ctx.sender, msg, ctx.block);
        ctx.emit("order_reported", {
          contract: order.contractId,
          cluster: order.assignedCluster,
          epoch: order.epoch,
          phase: order.phase,
          ready_replicas: order.readyReplicas,
        });
      }),
      handles(SealOrderEnvMsg, (ctx, msg) => {
        checkSealOrderEnv(msg);
        const order = federation.seal(ctx.state, ctx.sender, msg);
        ctx.emit("order_env_sealed", { contract: order.contractId, epoch: order.sealedEpoch });
      }),
    ],
    beginBlock(ctx, start) {
      liveness.recordCommit(ctx.state, start.lastCommit, ctx.block.height);
    },
    endBlock(ctx) {
      for (const { cluster, reason, unassigned, closed, endedLeases } of assignments.sweepOffline(
        ctx.state,
        ctx.block,
      )) {
        ctx.emit("cluster_offline", { cluster: cluster.id, reason, orders: unassigned.length });
        for (const lease of endedLeases) leaseEndedEvent(ctx, lease);
        for (const order of unassigned)
          ctx.emit("order_unassigned", {
            contract: order.contractId,
            cluster: cluster.id,
            epoch: order.epoch,
          });
        for (const order of closed) closedEvent(ctx, order, cluster.id);
      }
      for (const order of assignments.dropClosed(ctx.state)) closedEvent(ctx, order, "");
      for (const { order, cluster } of assignments.assignOpen(ctx.state, ctx.block)) {
        ctx.emit("order_assigned", {
          contract: order.contractId,
          cluster: cluster.id,
          epoch: order.epoch,
          operator: cluster.operator,
        });
      }
      return undefined;
    },
    queries: [
      recordQuery("/cluster/:id", "one member cluster as stored (provable)", (params) => {
        const id = checkMemberClusterId(params.id!, "id");
        return { stateKey: clusterKey(id), missing: `cluster ${id} is not registered` };
      }),
      recordQuery("/order/:contractId", "one federation order as stored (provable)", (params) => {
        const id = checkContractId(params.contractId!, "contractId");
        return { stateKey: orderKey(id), missing: `contract ${id} has no order` };
      }),
      {
        path: "/clusters",
        describe: "every member cluster, in id order",
        answer: (state) => ({ kind: "view", value: clustersView(state) }),
      },
      {
        path: "/orders/cluster/:id",
        describe: "the orders one cluster holds, in contract id order",
        answer: (state, params) => ordersView(readOrdersOf(state, checkMemberClusterId(params.id!, "id"))),
      },
      {
        path: "/orders/open",
        describe: "the orders waiting for a cluster, in contract id order",
        answer: (state) => ordersView(readOpenOrders(state)),
      },
    ],
  };
}
