// Checks of poc messages that need no state, run before the keeper touches any.
import { invalidField } from "../../tx/tx-error.js";
import { checkNodeId, checkRegion } from "../identifiers.js";
import { MAX_HEARTBEATS_PER_BATCH, type HeartbeatBatch, type RegisterNode } from "./poc-messages.js";
import { ISOLATIONS, type Isolation } from "./poc-records.js";

function positive(value: bigint, field: string): void {
  if (value <= 0n) throw invalidField(field, "must be greater than zero");
}

export function checkRegisterNode(msg: RegisterNode): void {
  checkNodeId(msg.nodeId, "RegisterNode.nodeId");
  checkRegion(msg.region, "RegisterNode.region");
  if (!ISOLATIONS.includes(msg.isolation as Isolation)) {
    throw invalidField("RegisterNode.isolation", `${JSON.stringify(msg.isolation)} is not one of runc, kata`);
  }
  positive(msg.cpuMillicores, "RegisterNode.cpuMillicores");
  positive(msg.memoryBytes, "RegisterNode.memoryBytes");
}

/** A batch holds 1 to MAX_HEARTBEATS_PER_BATCH entries, each node once. */
export function checkHeartbeatBatch(msg: HeartbeatBatch): void {
  if (msg.beats.length === 0) throw invalidField("HeartbeatBatch.beats", "must hold at least one heartbeat");
  if (msg.beats.length > MAX_HEARTBEATS_PER_BATCH)
    throw invalidField(
      "HeartbeatBatch.beats",
      `at most ${MAX_HEARTBEATS_PER_BATCH} heartbeats per batch, got ${msg.beats.length}`,
    );
  const seen = new Set<string>();
  msg.beats.forEach((beat, i) => {
    if (seen.has(beat.nodeId))
      throw invalidField(`HeartbeatBatch.beats[${i}].nodeId`, `node ${beat.nodeId} appears twice`);
    seen.add(beat.nodeId);
  });
}
