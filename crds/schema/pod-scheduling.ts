// Pod-level fields a PowerContainer passes to its Pod as they are (tolerations, image pull Secrets), with the
// checks Pod validation makes on them, so a bad entry is refused on apply rather than when the Pod is created.
import { TAINT_EFFECTS, TOLERATION_OPERATORS } from "../types.js";
import { objectName } from "./fields.js";
import { labelValue, qualifiedName } from "./kube-names.js";
import type { OpenApiSchema } from "./openapi.js";
import { array, enumeration, integer, object } from "./openapi.js";

const MAX_TOLERATIONS = 16;
const MAX_PULL_SECRETS = 8;

/** core/v1 Toleration, checked as ValidateTolerations checks it. */
export function tolerations(): OpenApiSchema {
  const toleration = object(
    "Tolerates taints that match key, value and effect, so the pod may run on nodes a contributor reserved " +
      "with them (e.g. GPU or kata nodes).",
    {
      key: qualifiedName("The taint key; empty with operator Exists tolerates every taint.", "key"),
      operator: enumeration(
        "Equal (the default) matches the value; Exists matches any value of the key.",
        TOLERATION_OPERATORS,
      ),
      value: labelValue("The taint value to match with operator Equal; empty with Exists."),
      effect: enumeration("The taint effect to match; empty matches every effect.", TAINT_EFFECTS),
      tolerationSeconds: integer(
        "With effect NoExecute: how long the pod stays on the node after the taint appears; unset is forever.",
        { minimum: 0, maximum: 2 ** 31 - 1 },
      ),
    },
    {
      rules: [
        {
          rule: "has(self.key) || (has(self.operator) && self.operator == 'Exists')",
          message: "operator must be Exists when key is empty",
          fieldPath: ".operator",
        },
        {
          rule: "!has(self.operator) || self.operator != 'Exists' || !has(self.value) || self.value == ''",
          message: "value must be empty when operator is Exists",
          fieldPath: ".value",
        },
        {
          rule: "!has(self.tolerationSeconds) || (has(self.effect) && self.effect == 'NoExecute')",
          message: "tolerationSeconds may only be given with effect NoExecute",
          fieldPath: ".tolerationSeconds",
        },
      ],
    },
  );
  return array("Taints the pod tolerates (core/v1 Toleration).", toleration, { maxItems: MAX_TOLERATIONS });
}

/** Secrets of the contract's own namespace the kubelet pulls the image with; they are never copied elsewhere. */
export function imagePullSecrets(): OpenApiSchema {
  return array(
    "Secrets (of type kubernetes.io/dockerconfigjson, in the same namespace) used to pull a private image.",
    object(
      "A Secret in the same namespace.",
      { name: objectName("Name of the Secret.") },
      { required: ["name"] },
    ),
    { maxItems: MAX_PULL_SECRETS, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] },
  );
}
