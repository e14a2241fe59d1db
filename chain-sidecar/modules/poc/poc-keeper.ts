// Contributor nodes, heartbeats, scores, demand and coefficients. Owns the `poc/` prefix.
import { encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { ResultCode } from "../../tx/result-codes.js";
import { TxError, invalidField } from "../../tx/tx-error.js";
import type { BlockInfo } from "../exec-context.js";
import { readParams } from "../params/params-keeper.js";
import { readLoansOf, readValidator, readVotes } from "../staking/staking-records.js";
import { accrue, skipTo, totalAt } from "./accrual.js";
import { initialCoefficients, nextCoefficients } from "./demand-controller.js";
import { checkNodeId, checkRegion, optionalAddress } from "./identifiers.js";
import { pocParams, type PocParams } from "./poc-params.js";
import {
  COEFFICIENTS_KEY,
  DEADLINE_PREFIX,
  DEMAND_PREFIX,
  ISOLATIONS,
  NODE_PREFIX,
  OWNER_PREFIX,
  RESOURCES,
  SUPPLY_KEY,
  deadlineKey,
  decodeCoefficients,
  decodeNode,
  decodeSupply,
  demandKey,
  encodeCoefficients,
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

export function chainStanding(state: StateReader, owner: string): ChainStanding {
  const own = readValidator(state, owner)?.deposit ?? 0n;
  const lent = readLoansOf(state, owner).reduce((sum, loan) => sum + loan.amount, 0n);
  return { stake: own + lent, votes: readVotes(state, owner).length > 0 };
}

/** A node's scores now and its total as seen at `height` (accrued up to its last heartbeat). */
export function nodeStanding(
  state: StateReader,
  node: ContributorRecord,
  block: Pick<BlockInfo, "height" | "timeMs">,
): { scores: Scores; total: bigint } {
  const params = readParams(state, pocParams);
  const scores = scoresOf(
    node,
    readCoefficients(state).coef,
    chainStanding(state, node.owner),
    params,
    block.timeMs,
  );
  return { scores, total: totalAt(node, block.height, params.halvingBlocks) };
}

export function isAuthorised(node: ContributorRecord, sender: string): boolean {
  return sender === node.owner || (node.operator !== "" && sender === node.operator);
}

function positive(value: bigint, field: string): bigint {
  if (value <= 0n) throw invalidField(field, "must be greater than zero");
  return value;
}

export class PocKeeper {
  readonly params: PocParams;

  constructor(private readonly state: StateWriter) {
    this.params = readParams(state, pocParams);
  }

  node(nodeId: string): ContributorRecord | undefined {
    return readNode(this.state, nodeId);
  }

  requireNode(nodeId: string, field: string): ContributorRecord {
    const node = this.node(nodeId);
    if (!node)
      throw new TxError(ResultCode.NOT_FOUND, `${field}: node ${JSON.stringify(nodeId)} is not registered`);
    return node;
  }

  private save(node: ContributorRecord): void {
    this.state.set(nodeKey(node.nodeId), encodeNode(node));
  }

  private changeSupply(capacity: ResourceAmounts, nodes: 1 | -1): void {
    const supply = readSupply(this.state);
    const sign = BigInt(nodes);
    for (const resource of RESOURCES) supply.capacity[resource] += sign * capacity[resource];
    supply.onlineNodes += nodes;
    this.state.set(SUPPLY_KEY, encodeSupply(supply));
  }

  private setDeadline(node: ContributorRecord, previousHeartbeat: number | undefined): void {
    if (previousHeartbeat !== undefined)
      this.state.delete(deadlineKey(previousHeartbeat + this.params.heartbeatWindowBlocks, node.nodeId));
    this.state.set(
      deadlineKey(node.lastHeartbeatHeight + this.params.heartbeatWindowBlocks, node.nodeId),
      encodeRecord({ nodeId: node.nodeId }),
    );
  }

  private rate(node: ContributorRecord, timeMs: number): bigint {
    const coef = readCoefficients(this.state).coef;
    return scoresOf(node, coef, chainStanding(this.state, node.owner), this.params, timeMs).rate;
  }

  register(sender: string, msg: RegisterNode, block: BlockInfo): ContributorRecord {
    const nodeId = checkNodeId(msg.nodeId, "RegisterNode.nodeId");
    const region = checkRegion(msg.region, "RegisterNode.region");
    if (!ISOLATIONS.includes(msg.isolation as Isolation)) {
      throw invalidField(
        "RegisterNode.isolation",
        `${JSON.stringify(msg.isolation)} is not one of runc, kata`,
      );
    }
    const capacity: ResourceAmounts = {
      cpu: positive(msg.cpuMillicores, "RegisterNode.cpuMillicores"),
      memory: positive(msg.memoryBytes, "RegisterNode.memoryBytes"),
      storage: msg.storageBytes,
      bandwidth: msg.bandwidthMbps,
    };
    const existing = this.node(nodeId);
    if (existing) {
      throw new TxError(
        ResultCode.ALREADY_EXISTS,
        `RegisterNode.nodeId: node ${nodeId} is already registered by ${existing.owner}`,
      );
    }
    const start = skipTo({ total: 0n, totalEpoch: 0, accruedTo: 0 }, block.height, this.params.halvingBlocks);
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
    this.save(node);
    this.state.set(ownerIndexKey(sender, nodeId), encodeRecord({ nodeId }));
    this.setDeadline(node, undefined);
    this.changeSupply(node.capacity, 1);
    return node;
  }

  /** Records an online proof: accrues PoC for the blocks since the last one, or brings the node back online. */
  heartbeat(
    sender: string,
    msg: Heartbeat,
    block: BlockInfo,
  ): { node: ContributorRecord; cameOnline: boolean } {
    const node = this.requireNode(msg.nodeId, "Heartbeat.nodeId");
    if (!isAuthorised(node, sender)) {
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `Heartbeat: ${sender} is neither the owner nor the operator of node ${node.nodeId}`,
      );
    }
    const previousHeartbeat = node.online ? node.lastHeartbeatHeight : undefined;
    const cameOnline = !node.online;
    let accrued;
    if (node.online) {
      accrued = accrue(node, this.rate(node, block.timeMs), block.height, this.params.halvingBlocks);
      this.changeSupply(node.capacity, -1);
    } else {
      accrued = skipTo(node, block.height, this.params.halvingBlocks);
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
    this.changeSupply(node.capacity, 1);
    node.lastHeartbeatHeight = block.height;
    node.heartbeats += 1;
    this.save(node);
    this.setDeadline(node, previousHeartbeat);
    return { node, cameOnline };
  }

  update(sender: string, msg: UpdateNode): ContributorRecord {
    const node = this.requireNode(msg.nodeId, "UpdateNode.nodeId");
    if (sender !== node.owner)
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `UpdateNode: only the owner ${node.owner} may change node ${node.nodeId}`,
      );
    node.pricePerScuHour = msg.pricePerScuHour;
    node.operator = optionalAddress(msg.operator);
    this.save(node);
    return node;
  }

  deregister(sender: string, nodeId: string): ContributorRecord {
    const node = this.requireNode(nodeId, "DeregisterNode.nodeId");
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
      this.changeSupply(node.capacity, -1);
      this.state.delete(deadlineKey(node.lastHeartbeatHeight + this.params.heartbeatWindowBlocks, nodeId));
    }
    this.state.delete(nodeKey(nodeId));
    this.state.delete(ownerIndexKey(node.owner, nodeId));
    return node;
  }

  /** Takes offline every node whose heartbeat window ended at or before `height`; their accrual stopped at their last heartbeat. */
  sweepOffline(height: number): ContributorRecord[] {
    const due = this.state.entries(DEADLINE_PREFIX, { to: deadlineKey(height + 1, "") });
    const offline: ContributorRecord[] = [];
    for (const [key, bytes] of due) {
      this.state.delete(key);
      const node = this.node((decodeRecord(bytes) as { nodeId: string }).nodeId);
      if (!node?.online) continue;
      node.online = false;
      node.misses += 1;
      this.changeSupply(node.capacity, -1);
      this.save(node);
      offline.push(node);
    }
    return offline;
  }

  /** Counts SCU requested in this block toward the demand estimate. */
  recordDemand(height: number, scu: bigint): void {
    if (scu <= 0n) return;
    const key = demandKey(height);
    const bytes = this.state.get(key);
    const before = bytes ? BigInt((decodeRecord(bytes) as { scu: string }).scu) : 0n;
    this.state.set(key, encodeRecord({ scu: (before + scu).toString() }));
  }

  /** SCU requested in the window (height − window, height]. */
  requestedInWindow(height: number): bigint {
    const from = demandKey(Math.max(0, height - this.params.demandWindowBlocks + 1));
    return this.state
      .entries(DEMAND_PREFIX, { from })
      .reduce((sum, [, bytes]) => sum + BigInt((decodeRecord(bytes) as { scu: string }).scu), 0n);
  }

  /** At an epoch boundary: re-estimates demand and steps every coefficient; drops demand older than the window. */
  updateCoefficients(height: number): Coefficients | undefined {
    if (height % this.params.epochBlocks !== 0) return undefined;
    const requested = this.requestedInWindow(height);
    const next = nextCoefficients(
      readCoefficients(this.state),
      requested,
      readSupply(this.state).capacity,
      this.params,
      height,
    );
    this.state.set(COEFFICIENTS_KEY, encodeCoefficients(next));
    const stale = this.state.entries(DEMAND_PREFIX, {
      to: demandKey(Math.max(0, height - this.params.demandWindowBlocks + 1)),
    });
    for (const [key] of stale) this.state.delete(key);
    return next;
  }

  initGenesis(): void {
    this.state.set(COEFFICIENTS_KEY, encodeCoefficients(initialCoefficients(this.params)));
    this.state.set(SUPPLY_KEY, encodeSupply({ onlineNodes: 0, capacity: zeroAmounts() }));
  }

  leaseStarted(nodeId: string): void {
    const node = this.requireNode(nodeId, "nodeId");
    node.activeLeases += 1;
    this.save(node);
  }

  /** A lease left the node; a completed one counts toward its service score. */
  leaseEnded(nodeId: string, completed: boolean): void {
    const node = this.node(nodeId);
    if (!node) return;
    node.activeLeases = Math.max(0, node.activeLeases - 1);
    if (completed) node.completedLeases += 1;
    this.save(node);
  }

  addRating(nodeId: string, rating: number): void {
    const node = this.requireNode(nodeId, "nodeId");
    node.ratingSum += rating;
    node.ratingCount += 1;
    this.save(node);
  }

  addBreach(nodeId: string): void {
    const node = this.node(nodeId);
    if (!node) return;
    node.breaches += 1;
    this.save(node);
  }
}
