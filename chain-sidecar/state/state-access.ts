// Read and write access to chain state: string keys of printable ASCII (so string order is byte order), byte values.

export type StateEntry = [key: string, value: Uint8Array];
export type StateChange = [key: string, value: Uint8Array | null];

/** Keys from `from` (inclusive) to `to` (exclusive), and at most `limit` entries (the first ones in key order). */
export interface ScanRange {
  from?: string;
  to?: string;
  limit?: number;
}

/** Every entry of one commit, in key order, read as it is consumed; `close` ends it early (its read is held open). */
export interface EntryStream extends Iterable<StateEntry> {
  close(): void;
}

export interface StateReader {
  get(key: string): Uint8Array | undefined;
  /** Entries whose key starts with `prefix`, sorted by key, optionally bounded by `range`. */
  entries(prefix: string, range?: ScanRange): StateEntry[];
}

/** How one kind of stored value becomes bytes and back; encoding the same value gives the same bytes on every node. */
export interface ValueCodec<T> {
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

export interface StateWriter extends StateReader {
  set(key: string, value: Uint8Array): void;
  delete(key: string): void;
}

const keyPattern = /^[\x21-\x7e]+$/;

export function assertStateKey(key: string): void {
  if (!keyPattern.test(key))
    throw new Error(`state key ${JSON.stringify(key)} must be non-empty printable ASCII`);
}

/** The exclusive upper bound of all keys starting with `prefix` (0x7f sorts after every printable character). */
export function prefixEnd(prefix: string): string {
  return `${prefix}\x7f`;
}

/** Clamps an optional range to a prefix: returns [low, high) for the scan. */
export function scanBounds(prefix: string, range?: ScanRange): [string, string] {
  const low = range?.from !== undefined && range.from > prefix ? range.from : prefix;
  const end = prefixEnd(prefix);
  const high = range?.to !== undefined && range.to < end ? range.to : end;
  return [low, high];
}
