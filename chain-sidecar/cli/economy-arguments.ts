// Parsers for the economy commands' arguments; each error names what was expected.
import { InvalidArgumentError, Option } from "commander";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** Seconds, plain or with a unit: 90, 90s, 30m, 12h, 7d. */
export function durationArgument(value: string): bigint {
  const match = /^(\d+)([smhd]?)$/.exec(value);
  if (!match)
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} is not a duration such as 3600, 90s, 30m, 12h or 7d`,
    );
  return BigInt(match[1]!) * BigInt(UNIT_SECONDS[match[2] || "s"]!);
}

export function countArgument(value: string): bigint {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole number`);
  return BigInt(value);
}

export function ratingArgument(value: string): bigint {
  if (!/^[1-5]$/.test(value))
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a rating from 1 to 5`);
  return BigInt(value);
}

export function contractIdArgument(value: string): string {
  if (!/^[0-9a-f]{20}$/.test(value))
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a contract id (20 lowercase hex digits)`);
  return value;
}

/** Repeatable options collect into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Unix seconds now, for lease times given as "now". */
export function unixSecondsArgument(value: string): bigint {
  if (value === "now") return BigInt(Math.floor(Date.now() / 1000));
  if (!/^\d+$/.test(value))
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not unix seconds or "now"`);
  return BigInt(value);
}

/** An option parsed to a bigint with a default (commander's help cannot print a bigint default by itself). */
export function bigintOption(
  flags: string,
  description: string,
  parse: (value: string) => bigint,
  fallback: bigint,
): Option {
  return new Option(flags, description).argParser(parse).default(fallback, String(fallback));
}
