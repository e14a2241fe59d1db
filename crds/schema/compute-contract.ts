// ComputeContract: what a consumer wants run, and what it pays for it.
import { BILLINGS, CLUSTER_PLACEMENTS, COMPUTE_CONTRACT_PHASES, CONDITION, DEFAULTS } from "../types.js";
import { conditions } from "./conditions.js";
import { customResourceDefinition, type CustomResourceDefinition } from "./definition.js";
import {
  MAX_SAFE_INTEGER,
  PATTERN,
  amount,
  contractId,
  counter,
  objectName,
  observedGeneration,
  positiveDuration,
  timestamp,
  txHash,
} from "./fields.js";
import type { OpenApiSchema } from "./openapi.js";
import { annotationMap, labelMap, nameFitsLabel } from "./kube-names.js";
import { array, enumeration, integer, object, string } from "./openapi.js";
import { powerContainerSpec } from "./power-container.js";

const MAX_REPLICAS = 1000;

function template(): OpenApiSchema {
  return object(
    "The PowerContainer each replica is made from.",
    {
      metadata: object("Labels and annotations copied to each PowerContainer and its pod.", {
        labels: labelMap("Labels to copy.", "template.metadata.labels", 32),
        annotations: annotationMap("Annotations to copy.", "template.metadata.annotations", 32),
      }),
      spec: powerContainerSpec("The PowerContainer spec (see `kubectl explain powercontainer.spec`)."),
    },
    { required: ["spec"] },
  );
}

function serviceLevel(): OpenApiSchema {
  return object("Service level the operator keeps, and records breaches of on chain.", {
    recoverWithin: positiveDuration(
      "How soon a replica whose node failed must run again elsewhere.",
      "sla.recoverWithin",
    ),
    maxMigrations: integer(
      "How many times one replica may be moved to another node before the contract fails it; 0 forbids moves.",
      { maximum: 100 },
      [{ rule: "self >= 0", message: "sla.maxMigrations must be 0 or more" }],
    ),
  });
}

function placement(): OpenApiSchema {
  return object(
    "Where replicas may run.",
    {
      regions: array(
        "Regions (ContributorNode spec.region) the replicas may run in; when set, at least one.",
        string("A region name.", { maxLength: 63, pattern: PATTERN.labelValue }),
        { maxItems: 32 },
      ),
      minPoC: integer("Lowest total Proof of Contribution a node's contributor must have.", {
        minimum: 0,
        maximum: MAX_SAFE_INTEGER,
      }),
      clusters: enumeration(
        "Which member clusters of the federation may run it: Local (only this cluster), Any (the chain assigns " +
          "any online member, this one included) or Others (any member but this one). Absent means Local; set when created.",
        CLUSTER_PLACEMENTS,
      ),
    },
    {
      rules: [
        {
          rule: "!has(self.regions) || size(self.regions) > 0",
          message: "placement.regions must list at least one region when set",
          fieldPath: ".regions",
        },
      ],
    },
  );
}

function payer(): OpenApiSchema {
  return object(
    "Who pays: a Secret holding the payer's key, or an escrow already funded with `uranus contract fund`. " +
      "Exactly one of the two. A key never goes in the spec.",
    {
      secretRef: object(
        "A Secret in the contract's namespace holding the payer's secp256k1 private key (hex).",
        {
          name: objectName("Name of the Secret."),
          key: string("Key within the Secret that holds the private key.", {
            maxLength: 253,
            pattern: "^[-._a-zA-Z0-9]+$",
            default: DEFAULTS.payerSecretKey,
          }),
        },
        { required: ["name"] },
      ),
      escrowContractId: contractId("An escrow opened and funded beforehand with the uranus CLI."),
    },
    {
      rules: [
        {
          rule: "has(self.secretRef) != has(self.escrowContractId)",
          message: "payer must set exactly one of secretRef or escrowContractId",
        },
        { rule: "self == oldSelf", message: "payer is immutable" },
      ],
    },
  );
}

/** Whether the contract may run in another member cluster (placement.clusters other than Local). */
const REMOTE = "has(self.placement) && has(self.placement.clusters) && self.placement.clusters != 'Local'";

/** Rules for contracts another cluster may run: the workload travels on chain (env from Secrets only sealed). */
const REMOTE_RULES = [
  {
    rule: `!(${REMOTE}) || has(self.payer.secretRef)`,
    message:
      "placement.clusters Any or Others needs payer.secretRef: the order is opened from the payer's key, not adopted",
    fieldPath: ".payer",
  },
  {
    rule: `!(${REMOTE}) || !has(self.template.spec.imagePullSecrets)`,
    message:
      "placement.clusters Any or Others: template.spec.imagePullSecrets cannot travel to another cluster",
    fieldPath: ".template.spec.imagePullSecrets",
  },
];

function spec(): OpenApiSchema {
  return object(
    "What to run, how many, and the terms.",
    {
      template: template(),
      replicas: integer(
        "How many PowerContainers run at once; kubectl scale and autoscalers set it through the scale " +
          "subresource, and the contract is resized on chain when its escrow covers the new size.",
        { maximum: MAX_REPLICAS, default: DEFAULTS.replicas },
        [{ rule: "self >= 1", message: "replicas must be at least 1" }],
      ),
      maxPricePerSCUHour: amount("Highest price per SCU-hour the consumer accepts from a contributor node.", {
        positive: true,
        field: "maxPricePerSCUHour",
      }),
      budget: amount("Escrow for the contract: the most it may ever spend.", {
        positive: true,
        field: "budget",
      }),
      duration: positiveDuration(
        "How long the contract runs; without it, until deleted or the budget is spent.",
        "duration",
      ),
      sla: serviceLevel(),
      placement: placement(),
      billing: enumeration(
        "What the consumer pays for: Reserved (every SCU a replica reserves, each second) or Used (its measured " +
          "CPU or memory, whichever is the larger share of an SCU, at most the reservation; seconds without a " +
          "measurement as Reserved). Set when created.",
        BILLINGS,
        {
          default: DEFAULTS.billing,
          "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "billing is immutable" }],
        },
      ),
      payer: payer(),
    },
    {
      required: ["template", "maxPricePerSCUHour", "budget", "payer"],
      rules: [
        ...REMOTE_RULES,
        {
          rule: "(has(self.placement) && has(self.placement.clusters) ? self.placement.clusters : 'Local') == (has(oldSelf.placement) && has(oldSelf.placement.clusters) ? oldSelf.placement.clusters : 'Local')",
          message: "placement.clusters is immutable",
          fieldPath: ".placement.clusters",
        },
      ],
    },
  );
}

function status(): OpenApiSchema {
  return object("Observed state, written by the operator.", {
    observedGeneration: observedGeneration(),
    contractId: contractId("The contract on chain."),
    phase: enumeration("Where the contract is in its life.", COMPUTE_CONTRACT_PHASES),
    escrow: object(
      "Escrow as recorded on chain.",
      {
        deposited: amount("Moved from the payer into escrow so far."),
        spent: amount("Paid out to contributors and validators so far."),
        remaining: amount("Still in escrow."),
      },
      { required: ["deposited", "spent", "remaining"] },
    ),
    replicas: counter("PowerContainers that exist for this contract."),
    readyReplicas: counter("PowerContainers whose pod is running and ready."),
    selector: string(
      "Label selector of the contract's pods, for the scale subresource (kubectl scale, HorizontalPodAutoscaler).",
      { maxLength: 128 },
    ),
    placement: object(
      "Where the contract runs in the federation, from the chain (placement.clusters Any or Others).",
      {
        cluster: string("The member cluster the chain assigned it to; absent while it waits for one.", {
          maxLength: 63,
        }),
        epoch: counter("The assignment's epoch: it grows each time the chain assigns the contract again."),
        endpoints: array(
          "Where its ports are reached (host:port), as the running cluster reported them.",
          string("host:port", { maxLength: 253 }),
          { maxItems: 16 },
        ),
        previousClusters: array(
          "Clusters it was taken from, oldest first (each went offline while running it).",
          string("A member cluster id.", { maxLength: 63 }),
          { maxItems: 64 },
        ),
      },
    ),
    lastSettlement: object(
      "The last metering settlement that debited this contract.",
      {
        height: counter("Block height of the settlement."),
        time: timestamp("Block time of the settlement."),
        amount: amount("Debited from escrow in that settlement."),
        txHash: txHash("The metering batch transaction."),
      },
      { required: ["height", "amount"] },
    ),
    conditions: conditions(Object.values(CONDITION.ComputeContract)),
  });
}

export function computeContractCrd(): CustomResourceDefinition {
  return customResourceDefinition({
    kind: "ComputeContract",
    scope: "Namespaced",
    description:
      "ComputeContract is a consumer's order for compute: a PowerContainer template, how many replicas, the " +
      "highest price, a budget held in escrow on chain, the service level and the placement. The operator opens " +
      "it on chain, runs the replicas on contributed nodes and settles their metered use.",
    spec: spec(),
    status: status(),
    scale: {
      specReplicasPath: ".spec.replicas",
      statusReplicasPath: ".status.replicas",
      labelSelectorPath: ".status.selector",
    },
    rules: [
      nameFitsLabel(
        63 - `-${MAX_REPLICAS - 1}`.length,
        "it labels every pod, and with a replica number it names each PowerContainer, which labels its pod too",
      ),
    ],
    printerColumns: [
      { name: "Phase", type: "string", jsonPath: ".status.phase", description: "Life-cycle phase." },
      {
        name: "Ready",
        type: "integer",
        jsonPath: ".status.readyReplicas",
        description: "Replicas running and ready.",
      },
      { name: "Replicas", type: "integer", jsonPath: ".spec.replicas", description: "Replicas wanted." },
      {
        name: "Max-Price",
        type: "string",
        jsonPath: ".spec.maxPricePerSCUHour",
        description: "Highest price per SCU-hour, in the smallest token unit.",
      },
      {
        name: "Remaining",
        type: "string",
        jsonPath: ".status.escrow.remaining",
        description: "Escrow left, in the smallest token unit.",
      },
      {
        name: "Cluster",
        type: "string",
        jsonPath: ".status.placement.cluster",
        description: "The member cluster running it, when the federation placed it elsewhere.",
      },
      {
        name: "Contract",
        type: "string",
        jsonPath: ".status.contractId",
        description: "Contract id on chain.",
        priority: 1,
      },
    ],
  });
}
