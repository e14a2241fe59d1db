// ContributorNode: registers the node on chain (or adopts its registration), labels the Node with its contributor,
// heartbeats while the Node is Ready, mirrors PoC and liveness into status, and deregisters when deleted.
import { ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import { ResultCode } from "../../chain-sidecar/tx/tx-types.js";
import { DeregisterNodeMsg } from "../../chain-sidecar/modules/poc/poc-types.js";
import {
  CONDITION,
  FIELD_MANAGER,
  LABEL,
  REASON,
  type ContributorNode,
  type ContributorNodeStatus,
} from "../../crds/types.js";
import { describeChainFailure } from "../chain/chain-failure.js";
import type { NodeStanding } from "../../chain-sidecar/client/chain-views.js";
import { KeyUnavailable } from "../chain/key-vault.js";
import type { KubeNode, OperatorContext } from "../operator-context.js";
import { NODE } from "../../kube-runtime/builtin-resources.js";
import { conditionTime, type ConditionUpdate } from "../../kube-runtime/conditions.js";
import type { ReconcileContext, ReconcileResult } from "../../kube-runtime/controller.js";
import {
  addFinalizer,
  hasFinalizer,
  isBeingDeleted,
  removeFinalizer,
} from "../../kube-runtime/finalizers.js";
import { writeStatus } from "../../kube-runtime/status.js";
import { CONTRIBUTOR_NODE } from "../uranus-resources.js";
import { allocatedScu } from "./allocated-scu.js";
import { POC_REFRESH_MS, shownPoc } from "./poc-status.js";
import type { JailedOwners } from "./jailed-owners.js";
import type { NodeHeartbeats } from "./node-heartbeats.js";
import { NodeRegistration } from "./node-registration.js";

/** Held until the node is deregistered on chain. */
export const DEREGISTER_FINALIZER = "uranus.io/deregister";

function isReady(node: KubeNode | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

export class ContributorNodeReconciler {
  private readonly registration: NodeRegistration;

  constructor(
    private readonly ctx: OperatorContext,
    private readonly jailed: JailedOwners,
    private readonly heartbeats: NodeHeartbeats,
  ) {
    this.registration = new NodeRegistration(ctx, heartbeats);
  }

  async reconcile(key: string, rc: ReconcileContext): Promise<ReconcileResult> {
    const cached = this.ctx.informers.contributorNodes.store.get(key);
    if (cached === undefined) {
      this.heartbeats.untrackContributorNode(key);
      return {};
    }
    if (isBeingDeleted(cached)) return this.finalize(cached, rc);
    const cn = await addFinalizer(this.ctx.runtime.client, CONTRIBUTOR_NODE, cached, DEREGISTER_FINALIZER, {
      fieldManager: FIELD_MANAGER,
    });
    const nodeId = cn.spec.nodeName;
    const owner = cn.spec.owner.toLowerCase();
    const node = this.ctx.informers.nodes.store.get(nodeId);
    const conditions: ConditionUpdate[] = [];
    const status: Partial<ContributorNodeStatus> = {};
    const generation = cn.metadata.generation;

    let standing: NodeStanding | undefined;
    try {
      standing = await this.registration.ensure(cn, node, status, rc);
    } catch (error) {
      const failure = describeChainFailure(error);
      const keyProblem = error instanceof KeyUnavailable;
      conditions.push({
        type: CONDITION.ContributorNode.Registered,
        status: "False",
        reason: REASON.Registered.RegistrationFailed,
        message: keyProblem
          ? `no usable key to register the node: ${failure.message}`
          : `registering node ${nodeId} failed: ${failure.message}`,
        observedGeneration: generation,
      });
      this.ctx.runtime.events.record(cn, {
        type: "Warning",
        reason: "RegistrationFailed",
        action: "RegisterNode",
        note: conditions[0]!.message,
      });
      await this.writeStatus(cn, status, conditions);
      return { requeue: true };
    }
    if (standing === undefined) {
      conditions.push({
        type: CONDITION.ContributorNode.Registered,
        status: "False",
        reason: REASON.Registered.RegistrationPending,
        message: `waiting for Node ${nodeId} to exist before registering it`,
        observedGeneration: generation,
      });
      conditions.push({
        type: CONDITION.ContributorNode.Online,
        status: "False",
        reason: REASON.Online.NodeNotFound,
        message: `Node ${nodeId} does not exist`,
        observedGeneration: generation,
      });
      await this.writeStatus(cn, status, conditions);
      return {};
    }
    conditions.push({
      type: CONDITION.ContributorNode.Registered,
      status: "True",
      reason: REASON.Registered.RegisteredOnChain,
      message: `node ${nodeId} is registered on chain for ${owner}`,
      observedGeneration: generation,
    });

    if (node !== undefined) await this.labelNode(node, owner);
    // The heartbeat loop beats Ready nodes; one the chain took offline is beaten now.
    if (isReady(node)) this.heartbeats.track(nodeId, key, !standing.online);
    else this.heartbeats.untrack(nodeId);

    const jailed = await this.jailed.isJailed(owner);
    const online: ConditionUpdate =
      node === undefined
        ? {
            type: "Online",
            status: "False",
            reason: REASON.Online.NodeNotFound,
            message: `Node ${nodeId} does not exist`,
          }
        : !isReady(node)
          ? {
              type: "Online",
              status: "False",
              reason: REASON.Online.NodeNotReady,
              message: `Node ${nodeId} is not Ready`,
            }
          : jailed
            ? {
                type: "Online",
                status: "False",
                reason: REASON.Online.Jailed,
                message: `owner ${owner} is jailed on chain`,
              }
            : !standing.online
              ? {
                  type: "Online",
                  status: "False",
                  reason: REASON.Online.HeartbeatMissed,
                  message: `the chain took node ${nodeId} offline after missed heartbeats`,
                }
              : {
                  type: "Online",
                  status: "True",
                  reason: REASON.Online.HeartbeatCurrent,
                  message: "heartbeats are current",
                };
    conditions.push({ ...online, type: CONDITION.ContributorNode.Online, observedGeneration: generation });

    const capacity =
      node === undefined
        ? 0
        : this.ctx.scale.capacity(this.ctx.scale.nodeResources(node.status?.allocatable));
    const allocated = allocatedScu(this.ctx, nodeId);
    status.capacitySCU = capacity;
    status.allocatedSCU = allocated;
    status.poc = shownPoc(cn.status?.poc, standing.poc, this.ctx.chain.watcher.latestHeight);
    status.onlineSince =
      online.status === "True" && standing.onlineSinceMs > 0
        ? conditionTime(new Date(standing.onlineSinceMs))
        : undefined;
    const schedulable: ConditionUpdate =
      cn.spec.unschedulable === true
        ? {
            type: "",
            status: "False",
            reason: REASON.Schedulable.MarkedUnschedulable,
            message: "spec.unschedulable is true",
          }
        : online.status !== "True"
          ? {
              type: "",
              status: "False",
              reason: REASON.Schedulable.NotOnline,
              message: "the node is not online",
            }
          : allocated >= capacity
            ? {
                type: "",
                status: "False",
                reason: REASON.Schedulable.NoFreeCapacity,
                message: `${allocated} of ${capacity} SCU are in use`,
              }
            : {
                type: "",
                status: "True",
                reason: REASON.Schedulable.CapacityAvailable,
                message: `${capacity - allocated} of ${capacity} SCU are free`,
              };
    conditions.push({
      ...schedulable,
      type: CONDITION.ContributorNode.Schedulable,
      observedGeneration: generation,
    });
    await this.writeStatus(cn, status, conditions);
    // Chain decisions arrive as block events; accrual is read at the pace it is shown, a first score each interval.
    const interval = this.ctx.settings.heartbeatIntervalMs;
    return { requeueAfter: status.poc.total > 0 ? Math.max(interval, POC_REFRESH_MS) : interval };
  }

  private async labelNode(node: KubeNode, owner: string): Promise<void> {
    if (node.metadata.labels?.[LABEL.contributor] === owner) return;
    await this.ctx.runtime.client.mergePatch(
      NODE,
      { name: node.metadata.name! },
      { metadata: { labels: { [LABEL.contributor]: owner } } },
      { fieldManager: FIELD_MANAGER },
    );
  }

  private async finalize(cn: ContributorNode, rc: ReconcileContext): Promise<ReconcileResult> {
    if (!hasFinalizer(cn, DEREGISTER_FINALIZER)) return {};
    const { chain } = this.ctx;
    const nodeId = cn.spec.nodeName;
    const owner = cn.spec.owner.toLowerCase();
    const chainNode = await chain.reader.poc.node(nodeId);
    if (chainNode !== undefined && chainNode.owner === owner) {
      if (chainNode.activeLeases > 0) {
        rc.log.info(
          { node: nodeId, leases: chainNode.activeLeases },
          "waiting for leases to end before deregistering",
        );
        return { requeueAfter: 1000 };
      }
      try {
        const wallet = await chain.keys.ownerWallet(owner);
        await chain.submitter.submit(wallet, DeregisterNodeMsg, { nodeId });
      } catch (error) {
        if (!(error instanceof ChainTxError && error.code === ResultCode.NOT_FOUND)) {
          const failure = describeChainFailure(error);
          this.ctx.runtime.events.record(cn, {
            type: "Warning",
            reason: "DeregistrationFailed",
            action: "DeregisterNode",
            note: `node ${nodeId} stays registered on chain until this succeeds: ${failure.message}`,
          });
          throw error;
        }
      }
      this.ctx.runtime.events.record(cn, {
        type: "Normal",
        reason: "Deregistered",
        action: "DeregisterNode",
        note: `deregistered node ${nodeId} on chain`,
      });
    }
    const node = this.ctx.informers.nodes.store.get(nodeId);
    if (node?.metadata.labels?.[LABEL.contributor] === owner) {
      await this.ctx.runtime.client.mergePatch(
        NODE,
        { name: nodeId },
        { metadata: { labels: { [LABEL.contributor]: null } } },
        { fieldManager: FIELD_MANAGER },
      );
    }
    this.heartbeats.forget(nodeId);
    await removeFinalizer(this.ctx.runtime.client, CONTRIBUTOR_NODE, cn, DEREGISTER_FINALIZER, {
      fieldManager: FIELD_MANAGER,
    });
    return {};
  }

  private writeStatus(
    cn: ContributorNode,
    status: Partial<ContributorNodeStatus>,
    conditions: ConditionUpdate[],
  ): Promise<void> {
    return writeStatus(this.ctx.runtime.client, CONTRIBUTOR_NODE, cn, {
      changes: status,
      conditions,
      now: this.ctx.now(),
      fieldManager: FIELD_MANAGER,
    });
  }
}
