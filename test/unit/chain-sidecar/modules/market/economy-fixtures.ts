// Builders of valid economy messages for tests: a node offer, a contract, a lease and a metering batch.
import { ZeroAddress } from "ethers";
import type { OpenContract } from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { meteringRoot } from "../../../../../chain-sidecar/modules/metering/batch-root.js";
import type {
  MeterRecord,
  MeteringBatch,
} from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import type { RegisterNode } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";

const GIB = 1024n * 1024n * 1024n;

export function nodeOffer(nodeId: string, overrides: Partial<RegisterNode> = {}): RegisterNode {
  return {
    nodeId,
    region: "eu-west",
    isolation: "runc",
    cpuMillicores: 8_000n,
    memoryBytes: 32n * GIB,
    storageBytes: 500n * GIB,
    bandwidthMbps: 1_000n,
    pricePerScuHour: 3_600n,
    operator: ZeroAddress,
    ...overrides,
  };
}

let openings = 0;

/** Valid terms; each call stands for another object (a new client reference) unless `clientRef` is given. */
export function contractTerms(overrides: Partial<OpenContract> = {}): OpenContract {
  openings += 1;
  return {
    scuPerReplica: 2n,
    replicas: 1n,
    maxPricePerScuHour: 4_000n,
    budget: 1_000_000n,
    durationSeconds: 86_400n,
    recoverWithinSeconds: 120n,
    maxMigrations: 3n,
    regions: [],
    minPoc: 0n,
    spread: false,
    billing: "reserved",
    operator: ZeroAddress,
    clusterId: "",
    clientRef: `cc-${openings}`,
    ...overrides,
  };
}

export function meterRecord(
  podUid: string,
  contractId: string,
  nodeId: string,
  from: number,
  to: number,
  overrides: Partial<MeterRecord> = {},
): MeterRecord {
  return {
    podUid,
    contractId,
    replica: 0n,
    nodeId,
    scu: 2n,
    fromTime: BigInt(from),
    toTime: BigInt(to),
    cpuMillicores: 0n,
    memoryBytes: 0n,
    ...overrides,
  };
}

export function batchOf(contributor: string, records: MeterRecord[]): MeteringBatch {
  return { contributor, root: meteringRoot(records), records };
}

/** The contract id the event of an OpenContract delivery announces. */
export function openedId(
  events: readonly { type: string; attributes: readonly (readonly [string, string])[] }[],
): string {
  const opened = events.find((e) => e.type === "contract_opened");
  const id = opened?.attributes.find(([key]) => key === "contract")?.[1];
  if (id === undefined) throw new Error("no contract_opened event");
  return id;
}
