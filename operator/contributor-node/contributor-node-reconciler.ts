// ContributorNode: registers the node on chain (or adopts its registration), labels the Node with its contributor,
// heartbeats while the Node is Ready, mirrors PoC and liveness into status, and deregisters when deleted.
import { ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import { ResultCode } from "../../chain-sidecar/tx/tx-types.js";
import {
  DeregisterNodeMsg,
  HeartbeatMsg,
  RegisterNodeMsg,
  UpdateNodeMsg,
} from "../../chain-sidecar/modules/poc/poc-types.js";
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
import type { JailedOwners } from "./jailed-owners.js";

/** Held until the node is deregistered on chain. */
export const DEREGISTER_FINALIZER = "uranus.io/deregister";

function isReady(node: KubeNode | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

function pocInteger(value: string): number {
  const n = BigInt(value);
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

export class ContributorNodeReconciler {
  /** When each node last sent a heartbeat that was committed (ms since epoch). */
  private readonly lastHeartbeat = new Map<string, number>();

  constructor(
    private readonly ctx: OperatorContext,
    private readonly jailed: JailedOwners,
  ) {}

  async reconcile(key: string, rc: ReconcileContext): Promise<ReconcileResult> {
    const cached = this.ctx.informers.contributorNodes.store.get(key);
    if (cached === undefined) {
      this.lastHeartbeat.delete(key);
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
      standing = await this.ensureRegistered(cn, node, status, rc);
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
    if (isReady(node)) {
      try {
        standing = (await this.heartbeat(cn, node!, standing)) ?? standing;
      } catch (error) {
        const failure = describeChainFailure(error);
        rc.log.warn({ node: nodeId, reason: failure.reason, message: failure.message }, "heartbeat failed");
        this.ctx.runtime.events.record(cn, {
          type: "Warning",
          reason: "HeartbeatFailed",
          action: "Heartbeat",
          note: failure.message,
        });
      }
    }

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
                  message: `heartbeats are current (${standing.poc.total} PoC)`,
                };
    conditions.push({ ...online, type: CONDITION.ContributorNode.Online, observedGeneration: generation });

    const capacity =
      node === undefined
        ? 0
        : this.ctx.scale.capacity(this.ctx.scale.nodeResources(node.status?.allocatable));
    const allocated = allocatedScu(this.ctx, nodeId);
    status.capacitySCU = capacity;
    status.allocatedSCU = allocated;
    status.poc = {
      basic: pocInteger(standing.poc.basic),
      service: pocInteger(standing.poc.service),
      chain: pocInteger(standing.poc.chain),
      total: pocInteger(standing.poc.total),
      height: this.ctx.chain.watcher.latestHeight,
    };
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
    return { requeueAfter: this.heartbeatDueIn(nodeId) };
  }

  private heartbeatDueIn(nodeId: string): number {
    const interval = this.ctx.settings.heartbeatIntervalMs;
    const last = this.lastHeartbeat.get(nodeId);
    if (last === undefined) return interval;
    return Math.max(50, last + interval - this.ctx.now().getTime());
  }

  /** Registers, adopts or corrects the chain's record of the node; undefined while the Node does not exist. */
  private async ensureRegistered(
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
        this.lastHeartbeat.set(nodeId, this.ctx.now().getTime());
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

  private async heartbeat(
    cn: ContributorNode,
    node: KubeNode,
    standing: NodeStanding,
  ): Promise<NodeStanding | undefined> {
    const nodeId = cn.spec.nodeName;
    const now = this.ctx.now().getTime();
    const last = this.lastHeartbeat.get(nodeId);
    // A node the chain took offline comes back with the next heartbeat, whenever the last one was.
    if (standing.online && last !== undefined && now - last < this.ctx.settings.heartbeatIntervalMs * 0.9)
      return undefined;
    const resources = this.ctx.scale.nodeResources(node.status?.allocatable);
    const wallet = await this.ctx.chain.keys.operatorWallet();
    await this.ctx.chain.submitter.submit(wallet, HeartbeatMsg, {
      nodeId,
      cpuMillicores: resources.cpuMillicores,
      memoryBytes: resources.memoryBytes,
      storageBytes: resources.storageBytes,
      bandwidthMbps: 0n,
    });
    this.lastHeartbeat.set(nodeId, now);
    if (!standing.online) {
      this.ctx.runtime.events.record(cn, {
        type: "Normal",
        reason: "Online",
        action: "Heartbeat",
        note: `node ${nodeId} is online on chain again`,
      });
    }
    return this.ctx.chain.reader.poc.standing(nodeId);
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
    this.lastHeartbeat.delete(nodeId);
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
