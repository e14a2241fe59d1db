// Field schemas that recur across the three kinds: money, addresses, durations, names, times.
import type { OpenApiSchema, ValidationRule } from "./openapi.js";
import { integer, string } from "./openapi.js";

/** Largest integer JavaScript reads exactly; counters and heights stay below it so every client agrees. */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

export const PATTERN = {
  amount: "^(0|[1-9][0-9]*)$",
  address: "^0x[0-9a-fA-F]{40}$",
  duration: "^([0-9]{1,6}([.][0-9]{1,6})?(ns|us|ms|s|m|h))+$",
  dnsSubdomain: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
  labelValue: "^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$",
  contractId: "^[0-9a-f]{20}$",
  txHash: "^(0x)?[0-9A-Fa-f]{64}$",
  noWhitespace: "^\\S*$",
} as const;

/** An exact token amount; `positive` adds the CEL rule that rejects zero. */
export function amount(
  description: string,
  options: { positive?: boolean; field?: string } = {},
): OpenApiSchema {
  const text =
    `${description} An integer amount in the chain's smallest token unit, written as a string of decimal ` +
    `digits (for example "2500000") so that amounts beyond 2^53 stay exact.`;
  const rules: ValidationRule[] = options.positive
    ? [{ rule: "self != '0'", message: `${options.field ?? "amount"} must be greater than 0` }]
    : [];
  return string(text, { maxLength: 78, pattern: PATTERN.amount }, rules);
}

export function address(description: string, field: string): OpenApiSchema {
  return string(
    `${description} An account address: "0x" followed by 40 hexadecimal characters.`,
    { maxLength: 42 },
    [
      {
        rule: `self.matches('${PATTERN.address}')`,
        message: `${field} must be a 0x-prefixed address of 40 hexadecimal characters`,
      },
    ],
  );
}

/** A Go-style duration that must be greater than zero. */
export function positiveDuration(description: string, field: string): OpenApiSchema {
  return string(
    `${description} A duration such as "90s", "15m", "72h" or "1h30m" (units ns, us, ms, s, m, h); greater than zero.`,
    { maxLength: 48, pattern: PATTERN.duration },
    [
      {
        // The pattern reports malformed text; the guard keeps this rule from failing to parse it a second time.
        rule: `!self.matches('${PATTERN.duration}') || duration(self) > duration('0s')`,
        message: `${field} must be a positive duration`,
      },
    ],
  );
}

export function timestamp(description: string): OpenApiSchema {
  return string(`${description} An RFC 3339 timestamp.`, { maxLength: 64, format: "date-time" });
}

export function objectName(description: string): OpenApiSchema {
  return string(`${description} A DNS subdomain: lower case letters, digits, '-' and '.'.`, {
    maxLength: 253,
    pattern: PATTERN.dnsSubdomain,
  });
}

export function counter(description: string): OpenApiSchema {
  return integer(description, { minimum: 0, maximum: MAX_SAFE_INTEGER });
}

export function observedGeneration(): OpenApiSchema {
  return counter("The metadata.generation of the spec this status was computed from.");
}

export function contractId(description: string): OpenApiSchema {
  return string(`${description} The contract id as the chain prints it: 20 lowercase hexadecimal digits.`, {
    maxLength: 20,
    pattern: PATTERN.contractId,
  });
}

export function txHash(description: string): OpenApiSchema {
  return string(`${description} A transaction hash: 64 hexadecimal characters.`, {
    maxLength: 66,
    pattern: PATTERN.txHash,
  });
}
