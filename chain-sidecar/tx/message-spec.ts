// A transaction message type: its stable wire id and its EIP-712 types, from which the wire codec follows.
import { TypedDataEncoder } from "ethers";
import { assertSupportedType, type StructTypes } from "./typed-rlp.js";

export interface TypedField {
  readonly name: string;
  readonly type: string;
}

export interface MessageSpec<T> {
  /** Stable wire id; never reused once published. */
  readonly typeId: number;
  /** EIP-712 primary type, e.g. `Transfer`. */
  readonly primaryType: string;
  /** The message's own fields, in wire order (the signed type adds `nonce` last). */
  readonly fields: readonly TypedField[];
  /** Every EIP-712 type the signer sees: the primary type (with `nonce`) and nested structs. */
  readonly types: Record<string, TypedField[]>;
  /** The struct types used by the fields, for the codec. */
  readonly structs: StructTypes;
  readonly encoder: TypedDataEncoder;
  /** Type-level marker tying the spec to its message shape. */
  readonly _message?: T;
}

export type MessageOf<S> = S extends MessageSpec<infer T> ? T : never;

/** The TypeScript value of an EIP-712 type: uints as bigint; addresses, strings and bytes as string; structs by their fields. */
export type ValueOfType<T extends string, Structs> = T extends `${infer Inner}[]`
  ? ValueOfType<Inner, Structs>[]
  : T extends "bool"
    ? boolean
    : T extends `uint${string}`
      ? bigint
      : T extends "address" | "string" | `bytes${string}`
        ? string
        : T extends keyof Structs
          ? ValueOfFields<Structs[T], Structs>
          : never;

/** A message's shape, derived from its field list: the one place its fields are written. */
export type ValueOfFields<Fields, Structs> = Fields extends readonly []
  ? NoFields
  : Fields extends readonly TypedField[]
    ? { [F in Fields[number] as F["name"]]: ValueOfType<F["type"], Structs> }
    : never;

/** A message without fields (Unjail). */
export type NoFields = Record<string, never>;

/** No struct types besides the message's own. */
export type NoStructs = Record<string, never>;

export const NONCE_FIELD: TypedField = { name: "nonce", type: "uint64" };

export function defineMessage<
  const Fields extends readonly TypedField[],
  const Structs extends Readonly<Record<string, readonly TypedField[]>> = NoStructs,
>(definition: {
  typeId: number;
  primaryType: string;
  fields: Fields;
  structs?: Structs;
}): MessageSpec<ValueOfFields<Fields, Structs>> {
  const { typeId, primaryType, fields } = definition;
  const nested = definition.structs ?? {};
  if (!Number.isInteger(typeId) || typeId < 1 || typeId > 0xffff) {
    throw new Error(`${primaryType}: typeId ${typeId} must be an integer in 1..65535`);
  }
  if (fields.some((f) => f.name === NONCE_FIELD.name)) {
    throw new Error(`${primaryType}: the nonce field is added by the envelope; do not declare it`);
  }
  const structs: StructTypes = { ...nested, [primaryType]: fields };
  for (const field of fields) assertSupportedType(field.type, structs, `${primaryType}.${field.name}`);
  const types = { ...nested, [primaryType]: [...fields, NONCE_FIELD] };
  return {
    typeId,
    primaryType,
    fields,
    types,
    structs,
    encoder: TypedDataEncoder.from(types),
  };
}
