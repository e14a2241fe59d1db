// The poc module's stored records and the keys under its prefix `poc/`.
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";

export const NODE_PREFIX = "poc/node/";
export const OWNER_PREFIX = "poc/owner/";
export const DEADLINE_PREFIX = "poc/deadline/";
export const DEMAND_PREFIX = "poc/demand/";
export const SUPPLY_KEY = "poc/supply";
export const COEFFICIENTS_KEY = "poc/coefficients";

export type Isolation = "runc" | "kata";
export const ISOLATIONS: readonly Isolation[] = ["runc", "kata"];

/** The four market resources; online time is the fifth input of the basic score. */
export const RESOURCES = ["cpu", "memory", "storage", "bandwidth"] as const;
export type Resource = (typeof RESOURCES)[number];
export type ResourceAmounts = Record<Resource, bigint>;

export interface ContributorRecord {
  nodeId: string;
  owner: string;
  /** An address the owner authorised to send heartbeats and metering batches; "" when none. */
  operator: string;
  region: string;
  isolation: Isolation;
  pricePerScuHour: bigint;
  /** cpu in millicores, memory and storage in bytes, uplink bandwidth in Mbit/s: declared, then as last measured. */
  capacity: ResourceAmounts;
  registeredHeight: number;
  online: boolean;
  /** Block time (ms) at which the current online stretch began. */
  onlineSinceMs: number;
  lastHeartbeatHeight: number;
  heartbeats: number;
  /** Heartbeat windows missed (each one took the node offline). */
  misses: number;
  activeLeases: number;
  completedLeases: number;
  ratingSum: number;
  ratingCount: number;
  breaches: number;
  /** Accumulated PoC as of halving epoch `totalEpoch`, accrued up to height `accruedTo`. */
  total: bigint;
  totalEpoch: number;
  accruedTo: number;
}

export interface Coefficients {
  /** Coefficient per resource in ppm. */
  coef: ResourceAmounts;
  /** Estimated demand: SCU requested per block, times 1e6 (the Poisson MLE over the window). */
  demandScuPerBlockMicro: bigint;
  /** Expected load over supply per resource, ppm, at the last update. */
  loadPpm: ResourceAmounts;
  updatedHeight: number;
}

export interface Supply {
  onlineNodes: number;
  capacity: ResourceAmounts;
}

export function nodeKey(nodeId: string): string {
  return `${NODE_PREFIX}${nodeId}`;
}

export function ownerIndexKey(owner: string, nodeId: string): string {
  return `${OWNER_PREFIX}${owner}/${nodeId}`;
}

export function heightPart(height: number): string {
  return String(height).padStart(16, "0");
}

export function deadlineKey(height: number, nodeId: string): string {
  return `${DEADLINE_PREFIX}${heightPart(height)}/${nodeId}`;
}

export function demandKey(height: number): string {
  return `${DEMAND_PREFIX}${heightPart(height)}`;
}

export function zeroAmounts(): ResourceAmounts {
  return { cpu: 0n, memory: 0n, storage: 0n, bandwidth: 0n };
}

export function amountsToJson(a: ResourceAmounts): Record<Resource, string> {
  return {
    cpu: a.cpu.toString(),
    memory: a.memory.toString(),
    storage: a.storage.toString(),
    bandwidth: a.bandwidth.toString(),
  };
}

export function amountsFromJson(raw: unknown): ResourceAmounts {
  const r = raw as Record<Resource, string>;
  return {
    cpu: BigInt(r.cpu),
    memory: BigInt(r.memory),
    storage: BigInt(r.storage),
    bandwidth: BigInt(r.bandwidth),
  };
}

export function encodeNode(n: ContributorRecord): Uint8Array {
  return encodeRecord({
    nodeId: n.nodeId,
    owner: n.owner,
    operator: n.operator,
    region: n.region,
    isolation: n.isolation,
    pricePerScuHour: n.pricePerScuHour.toString(),
    capacity: amountsToJson(n.capacity),
    registeredHeight: n.registeredHeight,
    online: n.online,
    onlineSinceMs: n.onlineSinceMs,
    lastHeartbeatHeight: n.lastHeartbeatHeight,
    heartbeats: n.heartbeats,
    misses: n.misses,
    activeLeases: n.activeLeases,
    completedLeases: n.completedLeases,
    ratingSum: n.ratingSum,
    ratingCount: n.ratingCount,
    breaches: n.breaches,
    total: n.total.toString(),
    totalEpoch: n.totalEpoch,
    accruedTo: n.accruedTo,
  });
}

export function decodeNode(bytes: Uint8Array): ContributorRecord {
  const r = decodeRecord(bytes) as Record<string, unknown>;
  return {
    nodeId: r.nodeId as string,
    owner: r.owner as string,
    operator: r.operator as string,
    region: r.region as string,
    isolation: r.isolation as Isolation,
    pricePerScuHour: BigInt(r.pricePerScuHour as string),
    capacity: amountsFromJson(r.capacity),
    registeredHeight: r.registeredHeight as number,
    online: r.online as boolean,
    onlineSinceMs: r.onlineSinceMs as number,
    lastHeartbeatHeight: r.lastHeartbeatHeight as number,
    heartbeats: r.heartbeats as number,
    misses: r.misses as number,
    activeLeases: r.activeLeases as number,
    completedLeases: r.completedLeases as number,
    ratingSum: r.ratingSum as number,
    ratingCount: r.ratingCount as number,
    breaches: r.breaches as number,
    total: BigInt(r.total as string),
    totalEpoch: r.totalEpoch as number,
    accruedTo: r.accruedTo as number,
  };
}

export function encodeCoefficients(c: Coefficients): Uint8Array {
  return encodeRecord({
    coef: amountsToJson(c.coef),
    demandScuPerBlockMicro: c.demandScuPerBlockMicro.toString(),
    loadPpm: amountsToJson(c.loadPpm),
    updatedHeight: c.updatedHeight,
  });
}

export function decodeCoefficients(bytes: Uint8Array): Coefficients {
  const r = decodeRecord(bytes) as Record<string, unknown>;
  return {
    coef: amountsFromJson(r.coef),
    demandScuPerBlockMicro: BigInt(r.demandScuPerBlockMicro as string),
    loadPpm: amountsFromJson(r.loadPpm),
    updatedHeight: r.updatedHeight as number,
  };
}

export function encodeSupply(s: Supply): Uint8Array {
  return encodeRecord({ onlineNodes: s.onlineNodes, capacity: amountsToJson(s.capacity) });
}

export function decodeSupply(bytes: Uint8Array): Supply {
  const r = decodeRecord(bytes) as { onlineNodes: number; capacity: unknown };
  return { onlineNodes: r.onlineNodes, capacity: amountsFromJson(r.capacity) };
}
