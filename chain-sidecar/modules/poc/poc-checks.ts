// Checks of poc messages that need no state, run before the keeper touches any.
import { invalidField } from "../../tx/tx-error.js";
import { checkNodeId, checkRegion } from "../identifiers.js";
import type { RegisterNode } from "./poc-messages.js";
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
