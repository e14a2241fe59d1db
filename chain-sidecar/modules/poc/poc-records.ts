// The poc module's stored records and the keys under its prefix `poc/`.
import {
  amount,
  defineRecord,
  flag,
  integer,
  oneOf,
  text,
  type FieldCodec,
  type RecordType,
} from "../../state/record-codec.js";

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

/** Per-resource amounts as one field: decimal strings on the wire. */
const amounts: FieldCodec<ResourceAmounts> = { toJson: amountsToJson, fromJson: amountsFromJson };

export const NODE_RECORD = defineRecord({
  nodeId: text,
  owner: text,
  /** An address the owner authorised to send heartbeats and metering batches; "" when none. */
  operator: text,
  region: text,
  isolation: oneOf(ISOLATIONS),
  pricePerScuHour: amount,
  /** cpu in millicores, memory and storage in bytes, uplink bandwidth in Mbit/s: declared, then as last measured. */
  capacity: amounts,
  registeredHeight: integer,
  online: flag,
  /** Block time (ms) at which the current online stretch began. */
  onlineSinceMs: integer,
  lastHeartbeatHeight: integer,
  heartbeats: integer,
  /** Heartbeat windows missed (each one took the node offline). */
  misses: integer,
  activeLeases: integer,
  completedLeases: integer,
  ratingSum: integer,
  ratingCount: integer,
  breaches: integer,
  /** Accumulated PoC as of halving epoch `totalEpoch`, accrued up to height `accruedTo`. */
  total: amount,
  totalEpoch: integer,
  accruedTo: integer,
});
export type ContributorRecord = RecordType<typeof NODE_RECORD>;

export const COEFFICIENTS_RECORD = defineRecord({
  /** Coefficient per resource in ppm. */
  coef: amounts,
  /** Estimated demand: SCU requested per block, times 1e6 (the Poisson MLE over the window). */
  demandScuPerBlockMicro: amount,
  /** Expected load over supply per resource, ppm, at the last update. */
  loadPpm: amounts,
  updatedHeight: integer,
});
export type Coefficients = RecordType<typeof COEFFICIENTS_RECORD>;

export const SUPPLY_RECORD = defineRecord({
  onlineNodes: integer,
  capacity: amounts,
});
export type Supply = RecordType<typeof SUPPLY_RECORD>;

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

export const encodeNode = NODE_RECORD.encode;
export const decodeNode = NODE_RECORD.decode;
export const encodeCoefficients = COEFFICIENTS_RECORD.encode;
export const decodeCoefficients = COEFFICIENTS_RECORD.decode;
export const encodeSupply = SUPPLY_RECORD.encode;
export const decodeSupply = SUPPLY_RECORD.decode;
