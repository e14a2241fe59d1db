// The parts of a PowerContainer spec that become the Pod's container (env, ports, size), with the checks Pod
// validation makes on them, so bad values are refused on apply rather than when the operator creates the Pod.
import { DEFAULTS, PROTOCOLS } from "../types.js";
import { objectName } from "./fields.js";
import { KUBE_PATTERN, notDotPath } from "./kube-names.js";
import type { OpenApiSchema } from "./openapi.js";
import { array, enumeration, integer, object, string } from "./openapi.js";
import { MAX_SCU, resourceQuantity } from "./quantity.js";

export function environment(): OpenApiSchema {
  const variable = object(
    "One environment variable: a literal value, or a key of a Secret in the same namespace.",
    {
      name: string(
        "Variable name: letters, digits, '_', '-' and '.', not starting with a digit, such as LOG_LEVEL.",
        { maxLength: 253, pattern: KUBE_PATTERN.envVarName },
        [notDotPath("env name")],
      ),
      value: string("Literal value.", { maxLength: 4096 }),
      valueFrom: object(
        "Where the value comes from when it is not literal.",
        {
          secretKeyRef: object(
            "A key of a Secret in the container's namespace.",
            {
              name: objectName("Name of the Secret."),
              key: string(
                "Key within the Secret: letters, digits, '-', '_' and '.'.",
                { maxLength: 253, pattern: KUBE_PATTERN.secretKey },
                [notDotPath("secretKeyRef.key")],
              ),
            },
            { required: ["name", "key"] },
          ),
        },
        { required: ["secretKeyRef"] },
      ),
    },
    {
      required: ["name"],
      rules: [
        {
          rule: "!(has(self.value) && has(self.valueFrom))",
          message: "an environment variable sets value or valueFrom, not both",
        },
      ],
    },
  );
  return {
    ...array("Environment variables of the container.", variable, { maxItems: 64 }),
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["name"],
  };
}

export function ports(): OpenApiSchema {
  const port = object(
    "A port the container listens on.",
    {
      name: string(
        "Optional port name, unique within the container: an IANA service name. At most 15 characters of a-z, " +
          "0-9 and '-', at least one letter, no '-' at either end or twice in a row.",
        { maxLength: 15 },
        [
          {
            rule: `self.matches('${KUBE_PATTERN.portName}') && self.matches('[a-z]')`,
            message:
              "port name must be an IANA service name: a-z, 0-9 and '-', at least one letter, no '-' at " +
              "either end or twice in a row",
          },
        ],
      ),
      containerPort: integer("Port number inside the container.", {
        format: "int32",
        minimum: 1,
        maximum: 65535,
      }),
      protocol: enumeration("Transport protocol.", PROTOCOLS, { default: DEFAULTS.protocol }),
    },
    { required: ["containerPort"] },
  );
  return {
    ...array("Ports the container exposes.", port, { maxItems: 16 }, [
      {
        rule: "self.all(p, !has(p.name) || self.exists_one(q, has(q.name) && q.name == p.name))",
        message: "port names must be unique",
      },
      {
        // The operator names an unnamed port "<protocol>-<port>" in the pod's Service; a name may not collide.
        rule:
          "self.all(p, !has(p.name) || !p.name.matches('^(tcp|udp)-[1-9][0-9]{0,4}$') || " +
          "!self.exists(q, !has(q.name) && q.protocol.lowerAscii() == p.name.substring(0, 3) && " +
          "q.containerPort == int(p.name.substring(4))))",
        message: "a port name may not be <protocol>-<port> of an unnamed port (its name in the Service)",
      },
    ]),
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["containerPort", "protocol"],
  };
}

export function size(): OpenApiSchema {
  return object(
    "How much compute the container needs: either scu, or any of cpu, memory and storage. One SCU (standard " +
      "compute unit) is by default 1 vCPU, 2 GiB memory and 20 GiB disk; cpu/memory/storage are rounded up to " +
      "whole SCU by their largest ratio to those units.",
    {
      scu: integer("Size in whole SCU.", { minimum: 1, maximum: MAX_SCU }),
      cpu: resourceQuantity("CPU the container needs.", "cpu"),
      memory: resourceQuantity("Memory the container needs.", "memory"),
      storage: resourceQuantity("Ephemeral disk the container needs.", "storage"),
    },
    {
      rules: [
        {
          rule: "has(self.scu) != (has(self.cpu) || has(self.memory) || has(self.storage))",
          message: "size must give either scu or cpu/memory/storage, not both and not neither",
        },
      ],
    },
  );
}
