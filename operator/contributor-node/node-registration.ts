// A node's registration on chain: registered with its owner's key (naming this operator), adopted when it already
// is, and its price and operator corrected when the spec and the chain disagree.
import { ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import type { NodeStanding } from "../../chain-sidecar/client/chain-views.js";
import { RegisterNodeMsg, UpdateNodeMsg } from "../../chain-sidecar/modules/poc/poc-types.js";
import { ResultCode } from "../../chain-sidecar/tx/tx-types.js";
import type { ContributorNode, ContributorNodeStatus } from "../../crds/types.js";
import { conditionTime } from "../../kube-runtime/conditions.js";
import type { ReconcileContext } from "../../kube-runtime/controller.js";
import { KeyUnavailable } from "../chain/key-vault.js";
import type { KubeNode, OperatorContext } from "../operator-context.js";
import type { NodeHeartbeats } from "./node-heartbeats.js";

export class NodeRegistration {
  constructor(
    private readonly ctx: OperatorContext,
    private readonly heartbeats: NodeHeartbeats,
  ) {}

  /** Registers, adopts or corrects the chain's record of the node; undefined while the Node does not exist. */
  async ensure(
    cn: ContributorNode,
    node: KubeNode | undefined,
    status: Partial<ContributorNodeStatus>,
    rc: ReconcileContext,
  ): Promise<NodeStanding | undefined> {
    const { chain } = this.ctx;
    const nodeId = cn.spec.nodeName;
    const owner = cn.spec.owner.toLowerCase();
    const operator = await chain.keys.operatorAddress();
    let standing = await chain.reader.poc.standing(nodeId);
    if (standing === undefined) {
      if (node === undefined) return undefined;
      const wallet = await chain.keys.ownerWallet(owner);
      const resources = this.ctx.scale.nodeResources(node.status?.allocatable);
      try {
        const included = await chain.submitter.submit(wallet, RegisterNodeMsg, {
          nodeId,
          region: cn.spec.region,
          isolation: cn.spec.isolation?.includes("kata") === true ? "kata" : "runc",
          cpuMillicores: resources.cpuMillicores,
          memoryBytes: resources.memoryBytes,
          storageBytes: resources.storageBytes,
          bandwidthMbps: 0n,
          pricePerScuHour: BigInt(cn.spec.pricePerSCUHour),
          operator,
        });
        status.registration = {
          txHash: included.hash,
          height: included.height,
          registeredAt: conditionTime(included.blockTime),
        };
        this.heartbeats.sent(nodeId);
        this.ctx.runtime.events.record(cn, {
          type: "Normal",
          reason: "Registered",
          action: "RegisterNode",
          note: `registered node ${nodeId} on chain for ${owner} at height ${included.height}`,
        });
        rc.log.info({ node: nodeId, height: included.height }, "node registered on chain");
      } catch (error) {
        // Someone registered it between our read and our transaction: adopt below.
        if (!(error instanceof ChainTxError && error.code === ResultCode.ALREADY_EXISTS)) throw error;
      }
      standing = await chain.reader.poc.standing(nodeId);
      if (standing === undefined)
        throw new Error(`node ${nodeId} is not on chain right after registering it`);
    }
    if (standing.owner !== owner) {
      throw new Error(
        `node ${nodeId} is registered on chain by ${standing.owner}, not by spec.owner ${owner}`,
      );
    }
    const wantPrice = BigInt(cn.spec.pricePerSCUHour);
    const chainNode = await chain.reader.poc.node(nodeId);
    if (
      chainNode !== undefined &&
      (chainNode.operator !== operator || chainNode.pricePerScuHour !== wantPrice)
    ) {
      let wallet;
      try {
        wallet = await chain.keys.ownerWallet(owner);
      } catch (error) {
        if (chainNode.operator === operator) {
          rc.log.warn(
            { node: nodeId, err: error },
            "cannot change the node's price on chain without the owner key",
          );
          return standing;
        }
        throw new KeyUnavailable(
          (error as KeyUnavailable).problem,
          `node ${nodeId} names operator ${chainNode.operator || "none"} on chain, not this operator ${operator}, ` +
            `and ${(error as Error).message}`,
        );
      }
      await chain.submitter.submit(wallet, UpdateNodeMsg, { nodeId, pricePerScuHour: wantPrice, operator });
      this.ctx.runtime.events.record(cn, {
        type: "Normal",
        reason: "Updated",
        action: "UpdateNode",
        note: `set price ${wantPrice} per SCU-hour and operator ${operator} on chain`,
      });
    }
    if (
      status.registration === undefined &&
      cn.status?.registration === undefined &&
      chainNode !== undefined
    ) {
      this.ctx.runtime.events.record(cn, {
        type: "Normal",
        reason: "Adopted",
        action: "RegisterNode",
        note: `node ${nodeId} was already registered on chain at height ${chainNode.registeredHeight}; adopted it`,
      });
    }
    return standing;
  }
}
