// Heartbeats while a node is Ready: one per interval from the operator's key (sooner when the chain took the node
// offline), and when the next one is due.
import type { NodeStanding } from "../../chain-sidecar/client/chain-views.js";
import { HeartbeatMsg } from "../../chain-sidecar/modules/poc/poc-types.js";
import type { ContributorNode } from "../../crds/types.js";
import type { KubeNode, OperatorContext } from "../operator-context.js";
import { NodeNetwork } from "./node-network.js";

export class NodeHeartbeats {
  /** When each node last sent a heartbeat that was committed (ms since epoch). */
  private readonly last = new Map<string, number>();
  private readonly network: NodeNetwork;

  constructor(private readonly ctx: OperatorContext) {
    this.network = new NodeNetwork(ctx.runtime.client);
  }

  /** A registration counts as a heartbeat. */
  sent(nodeId: string): void {
    this.last.set(nodeId, this.ctx.now().getTime());
  }

  forget(nodeId: string): void {
    this.last.delete(nodeId);
    this.network.forget(nodeId);
  }

  dueIn(nodeId: string): number {
    const interval = this.ctx.settings.heartbeatIntervalMs;
    const last = this.last.get(nodeId);
    if (last === undefined) return interval;
    return Math.max(50, last + interval - this.ctx.now().getTime());
  }

  async beat(cn: ContributorNode, node: KubeNode, standing: NodeStanding): Promise<NodeStanding | undefined> {
    const nodeId = cn.spec.nodeName;
    const now = this.ctx.now().getTime();
    const last = this.last.get(nodeId);
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
      bandwidthMbps: await this.network.peakMbps(node),
    });
    this.last.set(nodeId, now);
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
}
