// The poc module: thin handlers over the keeper, liveness and coefficients at block end, and PoC queries.
import { ResultCode } from "../../tx/result-codes.js";
import { TxError } from "../../tx/tx-error.js";
import { handles, recordQuery, type ChainModule } from "../chain-module.js";
import type { ExecContext } from "../exec-context.js";
import { parseAddress } from "../field-parsers.js";
import { checkNodeId, checkPodUid } from "../identifiers.js";
import type { DemandKeeper } from "./demand-keeper.js";
import { checkHeartbeatBatch, checkRegisterNode } from "./poc-checks.js";
import {
  DeregisterNodeMsg,
  HeartbeatBatchMsg,
  HeartbeatMsg,
  RegisterNodeMsg,
  UpdateNodeMsg,
} from "./poc-messages.js";
import { readAllNodes, readNode, readNodesOfOwner, type PocKeeper } from "./poc-keeper.js";
import { pocParams } from "./poc-params.js";
import { amountsToJson, nodeKey, type ContributorRecord } from "./poc-records.js";
import { economyView, nodeView, placementView } from "./poc-views.js";

function nodeEvent(ctx: ExecContext, type: string, node: ContributorRecord): void {
  ctx.emit(type, { node: node.nodeId, owner: node.owner });
}

/** The poc module over the app's node and demand keepers. */
export function pocModule(poc: PocKeeper, demand: DemandKeeper): ChainModule {
  return {
    name: "poc",
    params: pocParams,
    messages: [
      handles(RegisterNodeMsg, (ctx, msg) => {
        checkRegisterNode(msg);
        const node = poc.register(ctx.state, ctx.sender, msg, ctx.block);
        ctx.emit("node_registered", {
          node: node.nodeId,
          owner: node.owner,
          region: node.region,
          price_per_scu_hour: node.pricePerScuHour,
        });
      }),
      handles(HeartbeatMsg, (ctx, msg) => {
        const { node, cameOnline } = poc.heartbeat(ctx.state, ctx.sender, msg, ctx.block);
        if (cameOnline) nodeEvent(ctx, "node_online", node);
        ctx.emit("heartbeat", { node: node.nodeId, total: node.total });
      }),
      handles(HeartbeatBatchMsg, (ctx, msg) => {
        checkHeartbeatBatch(msg);
        msg.beats.forEach((beat, i) => {
          const { node, cameOnline } = poc.heartbeat(
            ctx.state,
            ctx.sender,
            beat,
            ctx.block,
            `HeartbeatBatch.beats[${i}]`,
          );
          if (cameOnline) nodeEvent(ctx, "node_online", node);
          ctx.emit("heartbeat", { node: node.nodeId, total: node.total });
        });
      }),
      handles(UpdateNodeMsg, (ctx, msg) => {
        const node = poc.update(ctx.state, ctx.sender, msg);
        ctx.emit("node_updated", {
          node: node.nodeId,
          price_per_scu_hour: node.pricePerScuHour,
          operator: node.operator,
        });
      }),
      handles(DeregisterNodeMsg, (ctx, msg) => {
        nodeEvent(ctx, "node_deregistered", poc.deregister(ctx.state, ctx.sender, msg.nodeId));
      }),
    ],
    initGenesis(ctx) {
      demand.initGenesis(ctx.state);
      poc.initGenesis(ctx.state);
    },
    endBlock(ctx) {
      for (const node of poc.sweepOffline(ctx.state, ctx.block.height)) nodeEvent(ctx, "node_offline", node);
      const coefficients = demand.updateCoefficients(ctx.state, ctx.block.height);
      if (coefficients) {
        const coef = amountsToJson(coefficients.coef);
        ctx.emit("poc_coefficients", {
          height: ctx.block.height,
          cpu: coef.cpu,
          memory: coef.memory,
          storage: coef.storage,
          bandwidth: coef.bandwidth,
          demand_scu_per_block_micro: coefficients.demandScuPerBlockMicro,
        });
      }
      return undefined;
    },
    queries: [
      recordQuery("/contributor/:nodeId", "one contributor node as stored (provable)", (params) => {
        const nodeId = checkNodeId(params.nodeId!, "nodeId");
        return { stateKey: nodeKey(nodeId), missing: `node ${nodeId} is not registered` };
      }),
      {
        path: "/contributors",
        describe: "every contributor node with its PoC scores, in node id order",
        answer(state, _params, block) {
          return { kind: "view", value: readAllNodes(state).map((n) => nodeView(poc, state, n, block)) };
        },
      },
      {
        path: "/contributors/owner/:address",
        describe: "the nodes one owner registered, with their PoC scores",
        answer(state, params, block) {
          const owner = parseAddress(params.address, "address");
          return {
            kind: "view",
            value: readNodesOfOwner(state, owner).map((n) => nodeView(poc, state, n, block)),
          };
        },
      },
      {
        path: "/poc",
        describe: "resource coefficients, estimated demand, load and online supply",
        answer: (state) => ({ kind: "view", value: economyView(state) }),
      },
      {
        path: "/poc/node/:nodeId",
        describe: "one node's PoC: basic, service and chain scores, rate per block and total",
        answer(state, params, block) {
          const nodeId = checkNodeId(params.nodeId!, "nodeId");
          const node = readNode(state, nodeId);
          if (!node) throw new TxError(ResultCode.NOT_FOUND, `nodeId: node ${nodeId} is not registered`);
          return { kind: "view", value: nodeView(poc, state, node, block) };
        },
      },
      {
        path: "/placement/:podUid",
        describe: "partition round-robin ranking of the online nodes for one pod UID",
        answer(state, params, block) {
          const podUid = checkPodUid(params.podUid!, "podUid");
          return {
            kind: "view",
            value: placementView(poc, state, readAllNodes(state), podUid, block),
          };
        },
      },
    ],
  };
}
