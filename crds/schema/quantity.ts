// Resource quantities of a container size: Kubernetes quantity syntax (a sensible subset per resource), greater
// than zero, and at most what MAX_SCU standard units hold, so the size maps to an SCU count the chain accepts.
import type { OpenApiSchema } from "./openapi.js";

/** The largest size in SCU, shared by spec.size.scu and status.scu. */
export const MAX_SCU = 1024;

const NUMBER = "([0-9]+([.][0-9]*)?|[.][0-9]+)";
// The operator's quantity parser refuses exponents beyond 30, so the schema does too.
const EXPONENT = "[eE][+]?([0-2]?[0-9]|30)";

interface Dimension {
  /** Field name in messages, e.g. size.cpu. */
  field: string;
  /** Allowed suffixes, as a regex alternative. */
  suffixes: string;
  /** CEL (a double) for the value of `self`, a string matching the pattern. */
  value: string;
  /** The largest value, in base units, as CEL literals (int and double). */
  max: { int: string; double: string };
  /** The largest value as a person would write it. */
  maxText: string;
  example: string;
  /** The suffixes in words. */
  syntax: string;
}

const BINARY = `{'K': 1024.0, 'M': 1048576.0, 'G': 1073741824.0, 'T': 1099511627776.0, 'P': 1125899906842624.0, 'E': 1152921504606846976.0}`;
const DECIMAL = `{'k': 1000.0, 'M': 1000000.0, 'G': 1000000000.0, 'T': 1000000000000.0, 'P': 1000000000000000.0, 'E': 1000000000000000000.0}`;

const BYTES_VALUE =
  `self.endsWith('i') ? double(self.substring(0, size(self) - 2)) * ${BINARY}[self.substring(size(self) - 2, size(self) - 1)] : ` +
  `self.substring(size(self) - 1) in ['k', 'M', 'G', 'T', 'P', 'E'] ? ` +
  `double(self.substring(0, size(self) - 1)) * ${DECIMAL}[self.substring(size(self) - 1)] : double(self)`;

const DIMENSIONS = {
  cpu: {
    field: "size.cpu",
    suffixes: "m",
    value: "self.endsWith('m') ? double(self.substring(0, size(self) - 1)) / 1000.0 : double(self)",
    max: { int: String(MAX_SCU), double: `${MAX_SCU}.0` },
    maxText: `${MAX_SCU} cores`,
    example: '2, "0.5" or "500m"',
    syntax: "cores, millicores with m, or an exponent (1e1)",
  },
  memory: {
    field: "size.memory",
    suffixes: "[kMGTPE]|[KMGTPE]i",
    value: BYTES_VALUE,
    max: { int: String(2 * MAX_SCU * 2 ** 30), double: `${2 * MAX_SCU * 2 ** 30}.0` },
    maxText: "2Ti",
    example: '"512Mi", "4Gi" or "1G"',
    syntax: "bytes, with k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent (1e9)",
  },
  storage: {
    field: "size.storage",
    suffixes: "[kMGTPE]|[KMGTPE]i",
    value: BYTES_VALUE,
    max: { int: String(20 * MAX_SCU * 2 ** 30), double: `${20 * MAX_SCU * 2 ** 30}.0` },
    maxText: "20Ti",
    example: '"20Gi" or "100G"',
    syntax: "bytes, with k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent (1e9)",
  },
} as const satisfies Record<string, Dimension>;

export type ResourceDimension = keyof typeof DIMENSIONS;

export function quantityPattern(dimension: ResourceDimension): string {
  return `^${NUMBER}(${DIMENSIONS[dimension].suffixes}|${EXPONENT})?$`;
}

/**
 * A Kubernetes resource quantity, integer or string like the Pod API's. The pattern reports bad syntax; the rule
 * (guarded by the same pattern, so it never parses what the pattern refused) bounds the value.
 */
export function resourceQuantity(description: string, dimension: ResourceDimension): OpenApiSchema {
  const d: Dimension = DIMENSIONS[dimension];
  const pattern = quantityPattern(dimension);
  return {
    description:
      `${description} A Kubernetes quantity such as ${d.example} (${d.syntax}): greater than 0 and at most ` +
      `${d.maxText}.`,
    anyOf: [{ type: "integer" }, { type: "string" }],
    pattern,
    maxLength: 32,
    "x-kubernetes-int-or-string": true,
    "x-kubernetes-validations": [
      {
        // [x].all(v, …) binds the parsed value once: @bufbuild/cel, which validates offline, has no cel.bind.
        rule:
          `type(self) == int ? self > 0 && self <= ${d.max.int} : !self.matches('${pattern}') || ` +
          `[${d.value}].all(v, v > 0.0 && v <= ${d.max.double})`,
        message: `${d.field} must be greater than 0 and at most ${d.maxText}`,
      },
    ],
  };
}
