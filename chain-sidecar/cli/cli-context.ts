// What every chain subcommand needs: the node URL, the keyring, the password, and how to print.
import { readFileSync } from "node:fs";
import Table from "cli-table3";
import type { Command } from "commander";
import { defaultKeyringDir, Keyring } from "./keyring.js";

export const DEFAULT_NODE = "http://127.0.0.1:26657";

export interface ChainCliOptions {
  output?: string;
  node?: string;
  keyringDir?: string;
  passwordFile?: string;
}

/** Options from the command and all its parents, nearest first. */
export function collectOptions(command: Command): ChainCliOptions {
  return command.optsWithGlobals<ChainCliOptions>();
}

export function nodeUrl(options: ChainCliOptions): string {
  return options.node ?? process.env.URANUS_NODE ?? DEFAULT_NODE;
}

export function keyringOf(options: ChainCliOptions): Keyring {
  return new Keyring(options.keyringDir ?? defaultKeyringDir());
}

/** The keyring password from --password-file (its first line) or URANUS_KEYRING_PASSWORD. */
export function readPassword(options: ChainCliOptions): string {
  if (options.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.passwordFile, "utf8");
    } catch (error) {
      throw new Error(
        `cannot read --password-file ${options.passwordFile}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      );
    }
    return text.split(/\r?\n/)[0]!;
  }
  const fromEnv = process.env.URANUS_KEYRING_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  throw new Error("no keyring password: pass --password-file <path> or set URANUS_KEYRING_PASSWORD");
}

export function isJson(options: ChainCliOptions): boolean {
  return options.output === "json";
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${toJson(value)}\n`);
}

export function printTable(head: string[], rows: (string | number | bigint | boolean)[][]): void {
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map((cell) => String(cell)));
  process.stdout.write(`${table.toString()}\n`);
}

/** Key/value lines for one record. */
export function printFields(fields: [string, string | number | bigint | boolean][]): void {
  const width = Math.max(...fields.map(([k]) => k.length));
  for (const [key, value] of fields) process.stdout.write(`${key.padEnd(width)}  ${String(value)}\n`);
}

/** An integer count of `unit`ths as a decimal with `places` digits, rounded down (e.g. milli-seconds as seconds). */
export function fixedPoint(count: bigint | string, unit: bigint, places = 3): string {
  const scaled = (BigInt(count) * 10n ** BigInt(places)) / unit;
  const digits = scaled.toString().padStart(places + 1, "0");
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}
