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

export const NONCE_FIELD: TypedField = { name: "nonce", type: "uint64" };

export function defineMessage<T>(definition: {
  typeId: number;
  primaryType: string;
  fields: TypedField[];
  structs?: Record<string, TypedField[]>;
}): MessageSpec<T> {
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
