// Contributor nodes: registration, heartbeats, liveness, scores and what leases do to them (demand and coefficients:
// demand-keeper.ts). The poc module owns the `poc/` prefix.
import { encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError } from "../../tx/tx-error.js";
import type { BlockInfo } from "../exec-context.js";
import { readParams } from "../params/params-keeper.js";
import type { StakeReader } from "./expected-keepers.js";
import { accrue, skipTo, totalAt } from "./accrual.js";
import { initialCoefficients } from "./demand-controller.js";
import { optionalAddress } from "../identifiers.js";
import { pocParams, type PocParams } from "./poc-params.js";
import {
  COEFFICIENTS_KEY,
  DEADLINE_PREFIX,
  NODE_PREFIX,
  OWNER_PREFIX,
  RESOURCES,
  SUPPLY_KEY,
  deadlineKey,
  decodeCoefficients,
  decodeNode,
  decodeSupply,
  encodeNode,
  encodeSupply,
  nodeKey,
  ownerIndexKey,
  zeroAmounts,
  type Coefficients,
  type ContributorRecord,
  type Isolation,
  type ResourceAmounts,
  type Supply,
} from "./poc-records.js";
import type { Heartbeat, RegisterNode, UpdateNode } from "./poc-messages.js";
import { scoresOf, type ChainStanding, type Scores } from "./scores.js";
import { decodeRecord } from "../../state/canonical-json.js";

export function readNode(state: StateReader, nodeId: string): ContributorRecord | undefined {
  const bytes = state.get(nodeKey(nodeId));
  return bytes ? decodeNode(bytes) : undefined;
}

export function readAllNodes(state: StateReader): ContributorRecord[] {
  return state.entries(NODE_PREFIX).map(([, bytes]) => decodeNode(bytes));
}

export function readNodesOfOwner(state: StateReader, owner: string): ContributorRecord[] {
  const prefix = `${OWNER_PREFIX}${owner}/`;
  return state.entries(prefix).flatMap(([key]) => {
    const node = readNode(state, key.slice(prefix.length));
    return node ? [node] : [];
  });
}

export function readCoefficients(state: StateReader): Coefficients {
  const bytes = state.get(COEFFICIENTS_KEY);
  return bytes ? decodeCoefficients(bytes) : initialCoefficients(readParams(state, pocParams));
}

export function readSupply(state: StateReader): Supply {
  const bytes = state.get(SUPPLY_KEY);
  return bytes ? decodeSupply(bytes) : { onlineNodes: 0, capacity: zeroAmounts() };
}

export function isAuthorised(node: ContributorRecord, sender: string): boolean {
  return sender === node.owner || (node.operator !== "" && sender === node.operator);
}

/** The one node keeper of the app; every method takes the state it works on. */
export class PocKeeper {
  constructor(private readonly stakes: StakeReader) {}

  params(state: StateReader): PocParams {
    return readParams(state, pocParams);
  }

  /** What the owner holds on chain: own validator deposit plus loans, and whether it votes. */
  chainStanding(state: StateReader, owner: string): ChainStanding {
    const stake = this.stakes.depositOf(state, owner) + this.stakes.lentBy(state, owner);
    return { stake, votes: this.stakes.votesOf(state, owner).length > 0 };
  }

  /** A node's scores now and its total as seen at `height` (accrued up to its last heartbeat). */
  nodeStanding(
    state: StateReader,
    node: ContributorRecord,
    block: Pick<BlockInfo, "height" | "timeMs">,
  ): { scores: Scores; total: bigint } {
    const params = this.params(state);
    const standing = this.chainStanding(state, node.owner);
    const scores = scoresOf(node, readCoefficients(state).coef, standing, params, block.timeMs);
    return { scores, total: totalAt(node, block.height, params.halvingBlocks) };
  }

  /** The node's PoC total as seen at `block`: what a contract's minPoc asks of it. */
  pocTotal(state: StateReader, node: ContributorRecord, block: Pick<BlockInfo, "height" | "timeMs">): bigint {
    return this.nodeStanding(state, node, block).total;
  }

  node(state: StateReader, nodeId: string): ContributorRecord | undefined {
    return readNode(state, nodeId);
  }

  /** Every registered node, in node id order. */
  nodes(state: StateReader): ContributorRecord[] {
    return readAllNodes(state);
  }

  requireNode(state: StateReader, nodeId: string, field: string): ContributorRecord {
    const node = this.node(state, nodeId);
    if (!node)
      throw new TxError(ResultCode.NOT_FOUND, `${field}: node ${JSON.stringify(nodeId)} is not registered`);
    return node;
  }

  private save(state: StateWriter, node: ContributorRecord): void {
    state.set(nodeKey(node.nodeId), encodeNode(node));
  }

  private changeSupply(state: StateWriter, capacity: ResourceAmounts, nodes: 1 | -1): void {
    const supply = readSupply(state);
    const sign = BigInt(nodes);
    for (const resource of RESOURCES) supply.capacity[resource] += sign * capacity[resource];
    supply.onlineNodes += nodes;
    state.set(SUPPLY_KEY, encodeSupply(supply));
  }

  private setDeadline(
    state: StateWriter,
    node: ContributorRecord,
    previousHeartbeat: number | undefined,
  ): void {
    if (previousHeartbeat !== undefined)
      state.delete(deadlineKey(previousHeartbeat + this.params(state).heartbeatWindowBlocks, node.nodeId));
    state.set(
      deadlineKey(node.lastHeartbeatHeight + this.params(state).heartbeatWindowBlocks, node.nodeId),
      encodeRecord({ nodeId: node.nodeId }),
    );
  }

  private rate(state: StateReader, node: ContributorRecord, timeMs: number): bigint {
    const coef = readCoefficients(state).coef;
    return scoresOf(node, coef, this.chainStanding(state, node.owner), this.params(state), timeMs).rate;
  }

  register(state: StateWriter, sender: string, msg: RegisterNode, block: BlockInfo): ContributorRecord {
    const { nodeId, region } = msg;
    const capacity: ResourceAmounts = {
      cpu: msg.cpuMillicores,
      memory: msg.memoryBytes,
      storage: msg.storageBytes,
      bandwidth: msg.bandwidthMbps,
    };
    const existing = this.node(state, nodeId);
    if (existing) {
      throw new TxError(
        ResultCode.ALREADY_EXISTS,
        `RegisterNode.nodeId: node ${nodeId} is already registered by ${existing.owner}`,
      );
    }
    const start = skipTo(
      { total: 0n, totalEpoch: 0, accruedTo: 0 },
      block.height,
      this.params(state).halvingBlocks,
    );
    const node: ContributorRecord = {
      nodeId,
      owner: sender,
      operator: optionalAddress(msg.operator),
      region,
      isolation: msg.isolation as Isolation,
      // A price of 0 donates the node: its leases are metered and settle 0, and still count towards its PoC.
      pricePerScuHour: msg.pricePerScuHour,
      capacity,
      registeredHeight: block.height,
      online: true,
      onlineSinceMs: block.timeMs,
      lastHeartbeatHeight: block.height,
      heartbeats: 1,
      misses: 0,
      activeLeases: 0,
      completedLeases: 0,
      ratingSum: 0,
      ratingCount: 0,
      breaches: 0,
      ...start,
    };
    this.save(state, node);
    state.set(ownerIndexKey(sender, nodeId), encodeRecord({ nodeId }));
    this.setDeadline(state, node, undefined);
    this.changeSupply(state, node.capacity, 1);
    return node;
  }

  /** Records an online proof: accrues PoC for the blocks since the last one, or brings the node back online. */
  heartbeat(
    state: StateWriter,
    sender: string,
    msg: Heartbeat,
    block: BlockInfo,
    field = "Heartbeat",
  ): { node: ContributorRecord; cameOnline: boolean } {
    const node = this.requireNode(state, msg.nodeId, `${field}.nodeId`);
    if (!isAuthorised(node, sender)) {
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `${field}: ${sender} is neither the owner nor the operator of node ${node.nodeId}`,
      );
    }
    const previousHeartbeat = node.online ? node.lastHeartbeatHeight : undefined;
    const cameOnline = !node.online;
    let accrued;
    if (node.online) {
      accrued = accrue(
        node,
        this.rate(state, node, block.timeMs),
        block.height,
        this.params(state).halvingBlocks,
      );
      this.changeSupply(state, node.capacity, -1);
    } else {
      accrued = skipTo(node, block.height, this.params(state).halvingBlocks);
      node.online = true;
      node.onlineSinceMs = block.timeMs;
    }
    Object.assign(node, accrued);
    const measured: ResourceAmounts = {
      cpu: msg.cpuMillicores,
      memory: msg.memoryBytes,
      storage: msg.storageBytes,
      bandwidth: msg.bandwidthMbps,
    };
    for (const resource of RESOURCES)
      if (measured[resource] > 0n) node.capacity[resource] = measured[resource];
    this.changeSupply(state, node.capacity, 1);
    node.lastHeartbeatHeight = block.height;
    node.heartbeats += 1;
    this.save(state, node);
    this.setDeadline(state, node, previousHeartbeat);
    return { node, cameOnline };
  }

  update(state: StateWriter, sender: string, msg: UpdateNode): ContributorRecord {
    const node = this.requireNode(state, msg.nodeId, "UpdateNode.nodeId");
    if (sender !== node.owner)
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `UpdateNode: only the owner ${node.owner} may change node ${node.nodeId}`,
      );
    node.pricePerScuHour = msg.pricePerScuHour;
    node.operator = optionalAddress(msg.operator);
    this.save(state, node);
    return node;
  }

  deregister(state: StateWriter, sender: string, nodeId: string): ContributorRecord {
    const node = this.requireNode(state, nodeId, "DeregisterNode.nodeId");
    if (sender !== node.owner) {
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `DeregisterNode: only the owner ${node.owner} may deregister ${nodeId}`,
      );
    }
    if (node.activeLeases > 0) {
      throw new TxError(
        ResultCode.WRONG_STATE,
        `DeregisterNode.nodeId: node ${nodeId} still holds ${node.activeLeases} active lease(s); end them first`,
      );
    }
    if (node.online) {
      this.changeSupply(state, node.capacity, -1);
      state.delete(deadlineKey(node.lastHeartbeatHeight + this.params(state).heartbeatWindowBlocks, nodeId));
    }
    state.delete(nodeKey(nodeId));
    state.delete(ownerIndexKey(node.owner, nodeId));
    return node;
  }

  /** Takes offline every node whose heartbeat window ended at or before `height`; their accrual stopped at their last heartbeat. */
  sweepOffline(state: StateWriter, height: number): ContributorRecord[] {
    const due = state.entries(DEADLINE_PREFIX, { to: deadlineKey(height + 1, "") });
    const offline: ContributorRecord[] = [];
    for (const [key, bytes] of due) {
      state.delete(key);
      const node = this.node(state, (decodeRecord(bytes) as { nodeId: string }).nodeId);
      if (!node?.online) continue;
      node.online = false;
      node.misses += 1;
      this.changeSupply(state, node.capacity, -1);
      this.save(state, node);
      offline.push(node);
    }
    return offline;
  }

  initGenesis(state: StateWriter): void {
    state.set(SUPPLY_KEY, encodeSupply({ onlineNodes: 0, capacity: zeroAmounts() }));
  }

  leaseStarted(state: StateWriter, nodeId: string): void {
    const node = this.requireNode(state, nodeId, "nodeId");
    node.activeLeases += 1;
    this.save(state, node);
  }

  /** A lease left the node; a completed one counts toward its service score. */
  leaseEnded(state: StateWriter, nodeId: string, completed: boolean): void {
    const node = this.node(state, nodeId);
    if (!node) return;
    node.activeLeases = Math.max(0, node.activeLeases - 1);
    if (completed) node.completedLeases += 1;
    this.save(state, node);
  }

  addRating(state: StateWriter, nodeId: string, rating: number): void {
    const node = this.requireNode(state, nodeId, "nodeId");
    node.ratingSum += rating;
    node.ratingCount += 1;
    this.save(state, node);
  }

  addBreach(state: StateWriter, nodeId: string): void {
    const node = this.node(state, nodeId);
    if (!node) return;
    node.breaches += 1;
    this.save(state, node);
  }
}
