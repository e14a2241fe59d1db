// ContributorNode: a contributor's offer of one Kubernetes Node to the pool.
import { CONDITION, DEFAULTS, ISOLATIONS } from "../types.js";
import { conditions } from "./conditions.js";
import { customResourceDefinition, type CustomResourceDefinition } from "./definition.js";
import {
  MAX_SAFE_INTEGER,
  PATTERN,
  address,
  amount,
  counter,
  objectName,
  observedGeneration,
  timestamp,
  txHash,
} from "./fields.js";
import type { OpenApiSchema } from "./openapi.js";
import { array, boolean, enumeration, integer, object, string } from "./openapi.js";

function spec(): OpenApiSchema {
  const nodeName = objectName("Name of the Kubernetes Node offered; it cannot change.");
  nodeName["x-kubernetes-validations"] = [
    {
      rule: "self == oldSelf",
      message: "nodeName is immutable; offer another node with another ContributorNode",
    },
  ];
  return object(
    "The offer: which node, whose it is, where it is and its price.",
    {
      nodeName,
      owner: address("The contributor's account, paid for the node's work.", "owner"),
      region: string("Region of the node, matched against a contract's placement.regions.", {
        maxLength: 63,
        pattern: PATTERN.labelValue,
      }),
      zone: string("Zone of the node within its region.", { maxLength: 63, pattern: PATTERN.labelValue }),
      pricePerSCUHour: amount(
        "Price per SCU-hour asked for this node; 0 donates it: its leases are metered and count towards its PoC, " +
          "and settle 0.",
      ),
      isolation: {
        ...array(
          "Runtime isolation the node offers: runc, and kata when the node has the kata RuntimeClass.",
          enumeration("An isolation kind.", ISOLATIONS),
          { minItems: 1, maxItems: ISOLATIONS.length, default: [...DEFAULTS.contributorIsolation] },
        ),
        "x-kubernetes-list-type": "set",
      },
      unschedulable: boolean("Stop placing new PowerContainers here; running ones stay until they end.", {
        default: false,
      }),
    },
    { required: ["nodeName", "owner", "region", "pricePerSCUHour"] },
  );
}

function proofOfContribution(): OpenApiSchema {
  const score = (what: string) => integer(what, { minimum: 0, maximum: MAX_SAFE_INTEGER });
  return object(
    "Proof of Contribution of the node's contributor, as computed on chain (integer points).",
    {
      basic: score("Resources offered and time online, weighted by demand."),
      service: score("Completed leases and ratings, minus SLA breaches."),
      chain: score("Staking, voting and heartbeat reliability."),
      total: score("basic + service + chain."),
      height: counter(
        "Block height the scores were read at. Scores that only accrued are read again every 60 blocks; a service score change shows at once.",
      ),
    },
    { required: ["basic", "service", "chain", "total"] },
  );
}

function status(): OpenApiSchema {
  return object("Observed state, written by the operator.", {
    observedGeneration: observedGeneration(),
    registration: object(
      "Registration of the node on chain.",
      {
        txHash: txHash("The registering transaction."),
        height: counter("Block height it was included at."),
        registeredAt: timestamp("Block time it was included at."),
      },
      { required: ["txHash", "height"] },
    ),
    capacitySCU: counter("Whole SCU the node can hold (its smallest ratio over cpu, memory and disk)."),
    allocatedSCU: counter("SCU taken by PowerContainers running on the node."),
    poc: proofOfContribution(),
    onlineSince: timestamp("Since when the node has been online without a break."),
    conditions: conditions(Object.values(CONDITION.ContributorNode)),
  });
}

export function contributorNodeCrd(): CustomResourceDefinition {
  return customResourceDefinition({
    kind: "ContributorNode",
    scope: "Cluster",
    description:
      "ContributorNode offers one Kubernetes Node to the Uranus pool: whose it is, where it is, its price per " +
      "SCU-hour and the isolation it supports. The operator registers it on chain and reports its capacity and " +
      "Proof of Contribution.",
    spec: spec(),
    status: status(),
    printerColumns: [
      { name: "Node", type: "string", jsonPath: ".spec.nodeName", description: "Kubernetes Node offered." },
      { name: "Region", type: "string", jsonPath: ".spec.region", description: "Region of the node." },
      {
        name: "Price",
        type: "string",
        jsonPath: ".spec.pricePerSCUHour",
        description: "Price per SCU-hour, in the smallest token unit.",
      },
      { name: "Capacity", type: "integer", jsonPath: ".status.capacitySCU", description: "Capacity in SCU." },
      { name: "Allocated", type: "integer", jsonPath: ".status.allocatedSCU", description: "SCU in use." },
      {
        name: "PoC",
        type: "integer",
        jsonPath: ".status.poc.total",
        description: "Total Proof of Contribution.",
      },
      {
        name: "Online",
        type: "string",
        jsonPath: '.status.conditions[?(@.type=="Online")].status',
        description: "Whether the node is online.",
      },
      {
        name: "Owner",
        type: "string",
        jsonPath: ".spec.owner",
        description: "Contributor account.",
        priority: 1,
      },
    ],
  });
}
