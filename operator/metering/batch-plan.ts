// Which seconds to bill in one metering round: per pod, from where its billing stopped to where it may go now;
// per contributor, one batch (split only when it would exceed the chain's record or size limits).
import type { MeterRecord } from "../../chain-sidecar/modules/metering/metering-types.js";
import type { PodUsage } from "./pod-usage.js";

export interface BillablePod {
  podUid: string;
  contractId: string;
  replica: number;
  nodeId: string;
  /** Who the lease pays. */
  contributor: string;
  scu: number;
  /** First second not yet billed. */
  billedTo: number;
  /** Last second that may be billed now (exclusive): now, the failure moment, the lease end or the contract end. */
  billUntil: number;
  /** The average use over [billedTo, billUntil]; absent when not measured (kwok, an unreadable kubelet). */
  usage?: PodUsage;
}

/** A generous upper bound of one record's encoded size, to keep a batch under the chain's transaction limit. */
export const RECORD_BYTES_ESTIMATE = 220;
const ENVELOPE_BYTES = 1_024;

export function meterRecord(pod: BillablePod): MeterRecord {
  return {
    podUid: pod.podUid,
    contractId: pod.contractId,
    replica: BigInt(pod.replica),
    nodeId: pod.nodeId,
    scu: BigInt(pod.scu),
    fromTime: BigInt(pod.billedTo),
    toTime: BigInt(pod.billUntil),
    cpuMillicores: pod.usage?.cpuMillicores ?? 0n,
    memoryBytes: pod.usage?.memoryBytes ?? 0n,
  };
}

/** Records of the pods that have at least one second to bill, grouped by contributor in a stable order. */
export function planBatches(
  pods: readonly BillablePod[],
  limits: { maxRecordsPerBatch: number; maxTxBytes: number },
): { contributor: string; records: MeterRecord[] }[] {
  const perBatch = Math.max(
    1,
    Math.min(
      limits.maxRecordsPerBatch,
      Math.floor((limits.maxTxBytes - ENVELOPE_BYTES) / RECORD_BYTES_ESTIMATE),
    ),
  );
  const byContributor = new Map<string, BillablePod[]>();
  for (const pod of pods) {
    if (pod.billUntil <= pod.billedTo) continue;
    const list = byContributor.get(pod.contributor) ?? [];
    list.push(pod);
    byContributor.set(pod.contributor, list);
  }
  const batches: { contributor: string; records: MeterRecord[] }[] = [];
  for (const contributor of [...byContributor.keys()].sort()) {
    const list = byContributor.get(contributor)!.sort((a, b) => (a.podUid < b.podUid ? -1 : 1));
    for (let start = 0; start < list.length; start += perBatch) {
      batches.push({ contributor, records: list.slice(start, start + perBatch).map(meterRecord) });
    }
  }
  return batches;
}
