// A module's chain parameters: typed fields with defaults, stored under params/<module>, set at genesis.
import type { JsonValue } from "../../state/canonical-json.js";
import { invalidField } from "../../tx/tx-error.js";

export type ParamField =
  | { readonly kind: "amount"; readonly describe: string }
  | { readonly kind: "integer"; readonly min: number; readonly max: number; readonly describe: string };

/** A value a field's range admits but the section must not hold: the field and why. */
export interface ParamRefusal {
  /** The field's name in its section. */
  readonly field: string;
  readonly reason: string;
}

export interface ParamSection<P extends object> {
  readonly module: string;
  readonly fields: { readonly [K in keyof P]: ParamField };
  readonly defaults: P;
  /** Rules beyond each field's range, checked wherever the section is parsed (genesis, governance). */
  refuse?(params: P): ParamRefusal | undefined;
}

export function defineParams<P extends object>(
  module: string,
  fields: { readonly [K in keyof P]: ParamField },
  defaults: P,
  refuse?: (params: P) => ParamRefusal | undefined,
): ParamSection<P> {
  return refuse === undefined ? { module, fields, defaults } : { module, fields, defaults, refuse };
}

function fieldNames<P extends object>(section: ParamSection<P>): (keyof P & string)[] {
  return (Object.keys(section.fields) as (keyof P & string)[]).sort();
}

function parseField(field: ParamField, raw: unknown, path: string): bigint | number {
  if (field.kind === "amount") {
    if (typeof raw === "bigint" && raw >= 0n) return raw;
    if (typeof raw === "string" && /^\d+$/.test(raw)) return BigInt(raw);
    if (typeof raw === "number" && Number.isSafeInteger(raw) && raw >= 0) return BigInt(raw);
    throw invalidField(
      path,
      `expected a non-negative integer amount (a decimal string), got ${JSON.stringify(String(raw))}`,
    );
  }
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < field.min || raw > field.max) {
    throw invalidField(
      path,
      `expected an integer in ${field.min}..${field.max}, got ${JSON.stringify(String(raw))}`,
    );
  }
  return raw;
}

/** Parses overrides on top of the defaults; unknown names and bad values are errors naming the field. */
export function parseParams<P extends object>(section: ParamSection<P>, input: unknown, path: string): P {
  if (input === undefined || input === null) return { ...section.defaults };
  if (typeof input !== "object" || Array.isArray(input)) throw invalidField(path, "expected an object");
  const overrides = input as Record<string, unknown>;
  for (const name of Object.keys(overrides).sort()) {
    if (!(name in section.fields)) {
      throw invalidField(`${path}.${name}`, `unknown parameter; known: ${fieldNames(section).join(", ")}`);
    }
  }
  const parsed: Record<string, unknown> = {};
  const fields = section.fields as Readonly<Record<string, ParamField>>;
  const defaults = section.defaults as Readonly<Record<string, unknown>>;
  for (const name of fieldNames(section) as string[]) {
    const raw = name in overrides ? overrides[name] : defaults[name];
    parsed[name] = parseField(fields[name]!, raw, `${path}.${name}`);
  }
  const refusal = section.refuse?.(parsed as P);
  if (refusal !== undefined) throw invalidField(`${path}.${refusal.field}`, refusal.reason);
  return parsed as P;
}

export function paramsToJson<P extends object>(section: ParamSection<P>, params: P): JsonValue {
  const json: Record<string, JsonValue> = {};
  for (const name of fieldNames(section)) {
    const value = params[name] as unknown;
    json[name] = typeof value === "bigint" ? value.toString() : (value as number);
  }
  return json;
}
