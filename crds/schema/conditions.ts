// The Kubernetes condition list (metav1.Condition) every status carries, keyed by condition type.
import { CONDITION_STATUSES } from "../types.js";
import { observedGeneration, timestamp } from "./fields.js";
import type { OpenApiSchema } from "./openapi.js";
import { array, enumeration, object, string } from "./openapi.js";

export function conditions(types: readonly string[]): OpenApiSchema {
  const condition = object(
    "One aspect of the object's current state, in the standard Kubernetes condition shape.",
    {
      type: string(`Condition type, one of ${types.join(", ")}.`, {
        maxLength: 316,
        pattern:
          "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
      }),
      status: enumeration("Whether the condition holds: True, False or Unknown.", CONDITION_STATUSES),
      observedGeneration: observedGeneration(),
      lastTransitionTime: timestamp("When the condition last changed status."),
      reason: string("A CamelCase word saying why the condition has its status.", {
        minLength: 1,
        maxLength: 1024,
        pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
      }),
      message: string("A human-readable explanation of the reason.", { maxLength: 32768 }),
    },
    { required: ["type", "status", "lastTransitionTime", "reason", "message"] },
  );
  return {
    ...array("Conditions in the Kubernetes style, one per type.", condition, { maxItems: 16 }),
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["type"],
  };
}
