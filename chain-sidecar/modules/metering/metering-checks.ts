// Checks of a metering batch that need no state: its size within the parameters, its Merkle root, and each
// record's ids, interval and measurement.
import { ResultCode } from "../../tx/result-codes.js";
import { TxError, invalidField } from "../../tx/tx-error.js";
import { checkContractId, checkNodeId, checkPodUid } from "../identifiers.js";
import { decodedBatchRoot } from "./batch-root.js";
import type { MeterRecord, MeteringBatch } from "./metering-messages.js";
import type { MeteringParams } from "./metering-params.js";
import type { ScuUnit, Usage } from "./settlement-math.js";

/** A measurement above this many times the record's reservation is refused as absurd (bursts above it are billed at the cap). */
export const MAX_USAGE_PER_SCU = 1000n;

/** Returns the batch's root, lowercase. */
export function checkMeteringBatch(msg: MeteringBatch, params: MeteringParams): string {
  const records = msg.records;
  if (records.length === 0) throw invalidField("MeteringBatch.records", "must hold at least one record");
  if (records.length > params.maxRecordsPerBatch) {
    throw invalidField(
      "MeteringBatch.records",
      `at most ${params.maxRecordsPerBatch} records per batch, got ${records.length}`,
    );
  }
  const root = decodedBatchRoot(records);
  if (root !== msg.root.toLowerCase()) {
    throw new TxError(
      ResultCode.ROOT_MISMATCH,
      `MeteringBatch.root: ${msg.root} is not the Merkle root of the records (${root})`,
    );
  }
  return root;
}

/** `path` names the record, e.g. `MeteringBatch.records[3]`. */
export function checkMeterRecord(
  record: MeterRecord,
  path: string,
): { podUid: string; from: number; to: number } {
  const podUid = checkPodUid(record.podUid, `${path}.podUid`);
  checkContractId(record.contractId, `${path}.contractId`);
  checkNodeId(record.nodeId, `${path}.nodeId`);
  if (record.toTime <= record.fromTime)
    throw invalidField(`${path}.toTime`, `${record.toTime} must be after fromTime ${record.fromTime}`);
  if (record.toTime > BigInt(Number.MAX_SAFE_INTEGER))
    throw invalidField(`${path}.toTime`, `${record.toTime} is not a plausible unix time in seconds`);
  return { podUid, from: Number(record.fromTime), to: Number(record.toTime) };
}

/**
 * The record's measurement, or undefined when it carries none (memoryBytes 0); `scu` is the record's, already
 * checked against the lease. Any use up to MAX_USAGE_PER_SCU times the reservation is accepted: billing caps it.
 */
export function checkUsage(record: MeterRecord, unit: ScuUnit, path: string): Usage | undefined {
  const { cpuMillicores, memoryBytes, scu } = record;
  if (memoryBytes === 0n) {
    if (cpuMillicores !== 0n)
      throw invalidField(
        `${path}.cpuMillicores`,
        `${cpuMillicores} with memoryBytes 0: a measured record carries both, an unmeasured one neither`,
      );
    return undefined;
  }
  const cpuLimit = MAX_USAGE_PER_SCU * scu * BigInt(unit.scuCpuMillicores);
  if (cpuMillicores > cpuLimit)
    throw invalidField(
      `${path}.cpuMillicores`,
      `${cpuMillicores} is more than ${MAX_USAGE_PER_SCU} times the record's ${scu} SCU (${cpuLimit})`,
    );
  const memoryLimit = MAX_USAGE_PER_SCU * scu * BigInt(unit.scuMemoryBytes);
  if (memoryBytes > memoryLimit)
    throw invalidField(
      `${path}.memoryBytes`,
      `${memoryBytes} is more than ${MAX_USAGE_PER_SCU} times the record's ${scu} SCU (${memoryLimit})`,
    );
  return { cpuMillicores, memoryBytes };
}
