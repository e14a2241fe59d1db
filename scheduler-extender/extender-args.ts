// kube-scheduler's extender v1 wire format (k8s.io/kube-scheduler/extender/v1: Go field names, no JSON tags),
// and the checks a request body must pass before the extender looks at it.
import { Ajv, type ErrorObject } from "ajv";
import type { PodLike } from "./pod-terms.js";

export interface ExtenderArgs {
  Pod: PodLike & { metadata: { uid: string; name: string } };
  /** Sent when the extender is not nodeCacheCapable. */
  Nodes?: { items: { metadata: { name: string } }[] } | null;
  /** Sent when the extender is nodeCacheCapable. */
  NodeNames?: string[] | null;
}

export interface ExtenderFilterResult {
  Nodes?: { items: unknown[] } | null;
  NodeNames?: string[] | null;
  FailedNodes: Record<string, string>;
  FailedAndUnresolvableNodes: Record<string, string>;
  Error: string;
}

/** A request the extender refuses: answered 400 with this message. */
export class BadRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadRequestError";
  }
}

const MAX_NODES = 100_000;
// No pattern: a regular expression per name costs more than the whole filter at 5000 nodes, and names the
// extender does not know are turned down anyway.
const MAX_NODE_NAME = 253;
const NODE_NAME = { type: "string", minLength: 1, maxLength: MAX_NODE_NAME };
const STRING_MAP = { type: "object", additionalProperties: { type: "string" } };
const RESOURCE_LIST = { type: "object", additionalProperties: { type: ["string", "number"] } };
const CONTAINERS = {
  type: "array",
  maxItems: 1000,
  items: {
    type: "object",
    properties: {
      resources: { type: "object", properties: { requests: RESOURCE_LIST, limits: RESOURCE_LIST } },
    },
  },
};

const SCHEMA = {
  type: "object",
  required: ["Pod"],
  properties: {
    Pod: {
      type: "object",
      required: ["metadata"],
      properties: {
        metadata: {
          type: "object",
          required: ["uid", "name"],
          properties: {
            uid: { type: "string", minLength: 1, maxLength: 128 },
            name: { type: "string", minLength: 1, maxLength: 253 },
            namespace: { type: "string", maxLength: 63 },
            labels: STRING_MAP,
            annotations: STRING_MAP,
          },
        },
        spec: {
          type: "object",
          properties: {
            containers: CONTAINERS,
            initContainers: CONTAINERS,
            overhead: RESOURCE_LIST,
            runtimeClassName: { type: ["string", "null"] },
            nodeName: { type: "string" },
          },
        },
        status: { type: "object", properties: { phase: { type: "string" } } },
      },
    },
    // Items are checked by checkNodeNames: a schema check per name costs more than judging the node.
    NodeNames: { type: ["array", "null"], maxItems: MAX_NODES },
    Nodes: {
      type: ["object", "null"],
      properties: {
        items: {
          type: ["array", "null"],
          maxItems: MAX_NODES,
          items: {
            type: "object",
            required: ["metadata"],
            properties: { metadata: { type: "object", required: ["name"], properties: { name: NODE_NAME } } },
          },
        },
      },
    },
  },
  anyOf: [
    { required: ["NodeNames"], properties: { NodeNames: { type: "array" } } },
    { required: ["Nodes"], properties: { Nodes: { type: "object" } } },
  ],
} as const;

const validate = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true }).compile<ExtenderArgs>(
  SCHEMA,
);

function describe(errors: readonly ErrorObject[]): string {
  // Errors inside the anyOf branches only repeat that neither branch matched.
  const error = errors.find((e) => !e.schemaPath.startsWith("#/anyOf/"));
  if (error === undefined) return "it does not match the extender arguments schema";
  if (error.keyword === "anyOf") return "it carries neither NodeNames nor Nodes";
  const at = error.instancePath === "" ? "the body" : error.instancePath;
  return `${at} ${error.message ?? "is invalid"}`;
}

/** Parses and checks a request body; throws BadRequestError saying what is wrong. */
export function parseExtenderArgs(body: string): ExtenderArgs {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new BadRequestError(`request body is not JSON: ${(error as Error).message}`);
  }
  if (!validate(value))
    throw new BadRequestError(`request body is not ExtenderArgs: ${describe(validate.errors ?? [])}`);
  if (Array.isArray(value.NodeNames)) checkNodeNames(value.NodeNames);
  return value;
}

/** The schema's rule for a node name (a non-empty string of at most 253 characters), as one loop. */
function checkNodeNames(names: readonly unknown[]): void {
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const problem =
      typeof name !== "string"
        ? "must be string"
        : name.length === 0
          ? "must NOT have fewer than 1 characters"
          : name.length > MAX_NODE_NAME
            ? `must NOT have more than ${MAX_NODE_NAME} characters`
            : undefined;
    if (problem !== undefined) {
      throw new BadRequestError(`request body is not ExtenderArgs: /NodeNames/${i} ${problem}`);
    }
  }
}

/** The candidate node names, from NodeNames or from the Nodes list. */
export function candidateNames(args: ExtenderArgs): string[] {
  if (Array.isArray(args.NodeNames)) return args.NodeNames;
  return (args.Nodes?.items ?? []).map((node) => node.metadata.name);
}
