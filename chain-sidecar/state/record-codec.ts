// A stored record declared once, field by field, and everything derived from that one declaration: its TypeScript
// type, its canonical-JSON codec and its JSON view (amounts as decimal strings, exact beyond 2^53).
// Written here rather than taken from a schema library: the wire form must stay byte-for-byte the canonical JSON the
// chain already commits to, which no general-purpose codec promises.
import { canonicalJsonAt, decodeRecord, utf8Bytes, type JsonValue } from "./canonical-json.js";
import { rememberingCodec } from "./remembering-codec.js";

export interface FieldCodec<T> {
  toJson(value: T): JsonValue;
  fromJson(json: JsonValue): T;
}

export const text: FieldCodec<string> = { toJson: (v) => v, fromJson: (j) => j as string };
export const integer: FieldCodec<number> = { toJson: (v) => v, fromJson: (j) => j as number };
export const flag: FieldCodec<boolean> = { toJson: (v) => v, fromJson: (j) => j as boolean };
export const texts: FieldCodec<string[]> = { toJson: (v) => v, fromJson: (j) => j as string[] };
export const integers: FieldCodec<number[]> = { toJson: (v) => v, fromJson: (j) => j as number[] };
/** Token amounts and other integers beyond 2^53: decimal strings on the wire. */
export const amount: FieldCodec<bigint> = {
  toJson: (v) => v.toString(),
  fromJson: (j) => BigInt(j as string),
};

/** Codecs whose values are immutable, with the `typeof` their decoded values have: a copy may share them. */
const scalarCodecs = new WeakMap<object, string>([
  [text, "string"],
  [integer, "number"],
  [flag, "boolean"],
  [amount, "bigint"],
]);
/** Codecs of lists of immutable values: a copy takes a copy of the list. */
const scalarListCodecs = new WeakSet<object>([texts, integers]);

/** A string from a closed set (the set documents the type; stored records are trusted). */
export function oneOf<T extends string>(_values: readonly T[]): FieldCodec<T> {
  const codec: FieldCodec<T> = { toJson: (v) => v, fromJson: (j) => j as T };
  scalarCodecs.set(codec, "string");
  return codec;
}

export type Shape = Record<string, FieldCodec<unknown>>;
export type RecordOf<S> = { -readonly [K in keyof S]: S[K] extends FieldCodec<infer T> ? T : never };

export interface RecordCodec<T> {
  /** The record as JSON: what is stored, and what queries show. */
  toJson: (record: T) => Record<string, JsonValue>;
  fromJson: (json: Record<string, JsonValue>) => T;
  encode: (record: T) => Uint8Array;
  decode: (bytes: Uint8Array) => T;
}

/** The type of the records a codec reads and writes. */
export type RecordType<C> = C extends RecordCodec<infer T> ? T : never;

export function defineRecord<S extends Record<string, FieldCodec<unknown>>>(
  shape: S,
): RecordCodec<RecordOf<S>> {
  const fields: [string, FieldCodec<unknown>][] = Object.entries(shape);
  const toJson = (record: RecordOf<S>): Record<string, JsonValue> => {
    const json: Record<string, JsonValue> = {};
    for (const [name, codec] of fields) json[name] = codec.toJson((record as Record<string, unknown>)[name]);
    return json;
  };
  const fromJson = (json: Record<string, JsonValue>): RecordOf<S> => {
    const record: Record<string, unknown> = {};
    for (const [name, codec] of fields) record[name] = codec.fromJson(json[name]!);
    return record as RecordOf<S>;
  };
  // The fields in canonical (sorted) order with their `"name":` prefixes, so encoding writes the text directly instead
  // of building an object and sorting its keys per record (most of a block's CPU goes into records it writes).
  const sorted = [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const prefixes = sorted.map(([name], i) => `${i === 0 ? "{" : ","}${JSON.stringify(name)}:`);
  const encode = (record: RecordOf<S>): Uint8Array => {
    if (sorted.length === 0) return utf8Bytes("{}");
    let text = "";
    for (let i = 0; i < sorted.length; i++) {
      const [name, codec] = sorted[i]!;
      text +=
        prefixes[i]! + canonicalJsonAt(codec.toJson((record as Record<string, unknown>)[name]), `$.${name}`);
    }
    return utf8Bytes(`${text}}`);
  };
  const decode = (bytes: Uint8Array): RecordOf<S> =>
    fromJson(decodeRecord(bytes) as Record<string, JsonValue>);
  const copyable = fields.every(([, codec]) => scalarCodecs.has(codec) || scalarListCodecs.has(codec));
  if (!copyable) return { toJson, fromJson, encode, decode };
  const lists = fields.filter(([, codec]) => scalarListCodecs.has(codec)).map(([name]) => name);
  const scalars = fields.flatMap(([name, codec]) => {
    const type = scalarCodecs.get(codec);
    return type === undefined ? [] : [[name, type] as const];
  });
  /** Whether every field holds what decoding would give (a bigint amount, not a number), so a copy can stand for it. */
  const decodedShape = (record: RecordOf<S>): boolean =>
    scalars.every(([name, type]) => typeof record[name] === type) &&
    lists.every((name) => Array.isArray((record as Record<string, unknown>)[name]));
  const copy = (record: RecordOf<S>): RecordOf<S> => {
    const out: Record<string, unknown> = {};
    for (const [name] of fields) out[name] = (record as Record<string, unknown>)[name];
    for (const name of lists) out[name] = [...(out[name] as unknown[])];
    return out as RecordOf<S>;
  };
  // Records of scalars (and lists of them) are remembered per stored bytes object; readers get copies.
  return { toJson, fromJson, ...rememberingCodec({ encode, decode }, { copy, isDecodedForm: decodedShape }) };
}
