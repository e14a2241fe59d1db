// A codec that remembers what stored bytes decode to, per bytes object, both ways: a block reads back what its earlier
// transactions (and CheckTx before it, through the store's cache) wrote, and parsing that JSON again cost more than
// the work itself. Stored bytes are never changed in place, so the same object means the same content.
import type { ValueCodec } from "./state-access.js";

export interface RememberingOptions<T> {
  /** Gives each reader its own copy of a remembered value (for mutable values); without it, readers share one. */
  readonly copy?: (value: T) => T;
  /** Whether a value being encoded is exactly what decoding its bytes gives back; only such values are remembered. */
  readonly isDecodedForm?: (value: T) => boolean;
}

export function rememberingCodec<T>(
  codec: ValueCodec<T>,
  options: RememberingOptions<T> = {},
): ValueCodec<T> {
  const known = new WeakMap<Uint8Array, T>();
  const copy = options.copy ?? ((value: T): T => value);
  const isDecodedForm = options.isDecodedForm ?? ((): boolean => true);
  return {
    encode: (value) => {
      const bytes = codec.encode(value);
      if (isDecodedForm(value)) known.set(bytes, copy(value));
      return bytes;
    },
    decode: (bytes) => {
      const remembered = known.get(bytes);
      if (remembered !== undefined) return copy(remembered);
      const value = codec.decode(bytes);
      known.set(bytes, copy(value));
      return value;
    },
  };
}
