// PowerContainer: one unit of work on a contributed node. Its spec schema is also the ComputeContract template's.
import {
  CONDITION,
  CONTRIBUTOR_SPREADS,
  DEFAULTS,
  EXECUTION_POLICIES,
  ISOLATIONS,
  MAX_REJECTED_NODES,
  POWER_CONTAINER_PHASES,
} from "../types.js";
import { affinity } from "./affinity.js";
import { conditions } from "./conditions.js";
import { environment, ports, size } from "./container.js";
import { customResourceDefinition, type CustomResourceDefinition } from "./definition.js";
import { PATTERN, address, counter, objectName, observedGeneration, timestamp } from "./fields.js";
import type { OpenApiSchema } from "./openapi.js";
import { array, enumeration, integer, object, string } from "./openapi.js";
import { nameFitsLabel } from "./kube-names.js";
import { imagePullSecrets, tolerations } from "./pod-scheduling.js";
import { MAX_SCU } from "./quantity.js";

export function powerContainerSpec(description: string): OpenApiSchema {
  return object(
    description,
    {
      image: string(
        "Container image reference, e.g. ghcr.io/acme/render:1.4 or an image digest.",
        { maxLength: 512, pattern: PATTERN.noWhitespace },
        [{ rule: "size(self) > 0", message: "image must not be empty" }],
      ),
      imagePullSecrets: imagePullSecrets(),
      command: array(
        "Entrypoint array; replaces the image's ENTRYPOINT when set.",
        string("One argument.", { maxLength: 4096 }),
        { maxItems: 64 },
      ),
      args: array(
        "Arguments to the entrypoint; replace the image's CMD when set.",
        string("One argument.", { maxLength: 4096 }),
        { maxItems: 64 },
      ),
      env: environment(),
      ports: ports(),
      size: size(),
      isolation: enumeration(
        "Runtime isolation: runc (ordinary containers) or kata (a lightweight VM per pod, through the kata " +
          "RuntimeClass); only contributor nodes offering it are eligible.",
        ISOLATIONS,
        { default: DEFAULTS.isolation },
      ),
      executionPolicy: enumeration(
        "What happens when the node stops matching the placement after the pod started: " +
          "IgnoredDuringExecution keeps it running; RequiredDuringExecution migrates it to a matching node.",
        EXECUTION_POLICIES,
        { default: DEFAULTS.executionPolicy },
      ),
      affinity: affinity(),
      tolerations: tolerations(),
      contributorSpread: enumeration(
        "Spread of the replicas of one contract across contributors (topology key uranus.io/contributor): " +
          "required puts no two on one contributor, preferred tries to, none does not care.",
        CONTRIBUTOR_SPREADS,
        { default: DEFAULTS.contributorSpread },
      ),
    },
    { required: ["image", "size"] },
  );
}

function status(): OpenApiSchema {
  return object("Observed state, written by the operator.", {
    observedGeneration: observedGeneration(),
    phase: enumeration("Where the container is in its life.", POWER_CONTAINER_PHASES),
    scu: integer("Effective size in whole SCU, as metered.", { minimum: 1, maximum: MAX_SCU }),
    nodeName: objectName("Node the current pod runs on."),
    contributorNode: objectName("ContributorNode offering that node."),
    contributor: address("Owner of that node, who is paid for it.", "status.contributor"),
    podName: objectName("Name of the current pod."),
    podUID: string("UID of the current pod; metering records are keyed by it.", { maxLength: 36 }),
    startTime: timestamp("When the current pod started running."),
    meteredSCUSeconds: counter("SCU-seconds metered on chain for this container so far."),
    migrations: counter("How many times the container moved to another node."),
    lastMigrationTime: timestamp("When the node failed that the last migration moved the container off."),
    lastMigrationNode: objectName("The node the last migration moved the container off."),
    rejectedNodes: array(
      "Nodes the chain refused to lease this container on, newest last; new pods avoid them for a while.",
      object(
        "One refusal.",
        {
          node: objectName("The refused node."),
          message: string("The chain's reason.", { maxLength: 1024 }),
          time: timestamp("When it was refused."),
        },
        { required: ["node", "message", "time"] },
      ),
      { maxItems: MAX_REJECTED_NODES },
    ),
    conditions: conditions(Object.values(CONDITION.PowerContainer)),
  });
}

export function powerContainerCrd(): CustomResourceDefinition {
  return customResourceDefinition({
    kind: "PowerContainer",
    scope: "Namespaced",
    description:
      "PowerContainer is one unit of work of a ComputeContract, run as a pod on a contributed node. The operator " +
      "creates one per replica from the contract's template; it is owned by that contract.",
    spec: powerContainerSpec("What to run and where it may run."),
    status: status(),
    rules: [nameFitsLabel(63, "it labels the container's pod")],
    printerColumns: [
      { name: "Phase", type: "string", jsonPath: ".status.phase", description: "Life-cycle phase." },
      { name: "Node", type: "string", jsonPath: ".status.nodeName", description: "Node the pod runs on." },
      {
        name: "Contributor",
        type: "string",
        jsonPath: ".status.contributorNode",
        description: "ContributorNode offering that node.",
      },
      { name: "SCU", type: "integer", jsonPath: ".status.scu", description: "Effective size in SCU." },
      {
        name: "Metered",
        type: "integer",
        jsonPath: ".status.meteredSCUSeconds",
        description: "SCU-seconds metered on chain.",
      },
      {
        name: "Migrations",
        type: "integer",
        jsonPath: ".status.migrations",
        description: "Moves to another node.",
        priority: 1,
      },
      {
        name: "Image",
        type: "string",
        jsonPath: ".spec.image",
        description: "Container image.",
        priority: 1,
      },
    ],
  });
}
