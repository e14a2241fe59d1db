// A layer of uncommitted writes over a reader: blocks, transactions and CheckTx each work in one and keep or drop it.
import {
  assertStateKey,
  scanBounds,
  type ScanRange,
  type StateChange,
  type StateEntry,
  type StateReader,
  type StateWriter,
  type ValueCodec,
} from "./state-access.js";

/** A value written decoded: its bytes are made once, when something asks for them (a block's commit, a scan). */
class DeferredValue {
  private bytes: Uint8Array | undefined;

  constructor(
    readonly value: unknown,
    readonly codec: ValueCodec<unknown>,
  ) {}

  encoded(): Uint8Array {
    if (this.bytes === undefined) {
      const bytes = this.codec.encode(this.value);
      if (bytes.length === 0) throw new Error("a value encoded to no bytes: empty values are not stored");
      this.bytes = bytes;
    }
    return this.bytes;
  }
}

type Change = Uint8Array | DeferredValue | null;

function bytesOf(change: Uint8Array | DeferredValue): Uint8Array {
  return change instanceof DeferredValue ? change.encoded() : change;
}

export class StateOverlay implements StateWriter {
  private readonly changes = new Map<string, Change>();

  constructor(private readonly parent: StateReader) {}

  get(key: string): Uint8Array | undefined {
    const change = this.changes.get(key);
    if (change === undefined) return this.parent.get(key);
    return change === null ? undefined : bytesOf(change);
  }

  /**
   * The decoded value at `key`, without encoding what a layer holds decoded (CheckTx never encodes what it writes).
   * The value may be shared with the layer: callers copy before they change it.
   */
  getValue<T>(key: string, codec: ValueCodec<T>): T | undefined {
    const change = this.changes.get(key);
    if (change === undefined) return readValue(this.parent, key, codec);
    if (change === null) return undefined;
    if (change instanceof DeferredValue && change.codec === codec) return change.value as T;
    return codec.decode(bytesOf(change));
  }

  set(key: string, value: Uint8Array): void {
    assertStateKey(key);
    if (value.length === 0)
      throw new Error(`state key ${key}: empty values are not stored; delete the key instead`);
    this.changes.set(key, value);
  }

  /** Writes `value`, encoded by `codec` only when its bytes are asked for; the layer keeps it, so it must not change. */
  setValue<T>(key: string, codec: ValueCodec<T>, value: T): void {
    assertStateKey(key);
    this.changes.set(key, new DeferredValue(value, codec));
  }

  delete(key: string): void {
    assertStateKey(key);
    this.changes.set(key, null);
  }

  entries(prefix: string, range?: ScanRange): StateEntry[] {
    const [low, high] = scanBounds(prefix, range);
    const inRange: StateChange[] = [];
    let deletions = 0;
    for (const [key, change] of this.changes) {
      if (key >= low && key < high) {
        inRange.push([key, change === null ? null : bytesOf(change)]);
        if (change === null) deletions++;
      }
    }
    // Each deletion here can hide one of the parent's entries: ask it for that many more.
    const limit = range?.limit;
    const base = this.parent.entries(
      prefix,
      limit === undefined ? range : { ...range, limit: limit + deletions },
    );
    if (inRange.length === 0) return base;
    const merged = new Map<string, Uint8Array>(base);
    for (const [key, value] of inRange) {
      if (value === null) merged.delete(key);
      else merged.set(key, value);
    }
    const sorted = [...merged.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return limit === undefined ? sorted : sorted.slice(0, limit);
  }

  /** A child layer whose writes reach this one only through `mergeInto`. */
  branch(): StateOverlay {
    return new StateOverlay(this);
  }

  /** Writes this layer's changes into `target` (normally the parent) in key order. */
  mergeInto(target: StateWriter): void {
    if (target instanceof StateOverlay) {
      // Keys were checked when set, and an overlay's order never shows (its readers sort), so no sort or check again.
      for (const [key, change] of this.changes) target.changes.set(key, change);
      return;
    }
    for (const [key, value] of this.sortedChanges()) {
      if (value === null) target.delete(key);
      else target.set(key, value);
    }
  }

  get size(): number {
    return this.changes.size;
  }

  /** The changes of this layer sorted by key, encoded; `null` marks a deletion. */
  sortedChanges(): StateChange[] {
    const sorted = [...this.changes.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return sorted.map(([key, change]) => [key, change === null ? null : bytesOf(change)]);
  }
}

/** The decoded value at `key` of any reader: an overlay hands back what it holds decoded. */
export function readValue<T>(state: StateReader, key: string, codec: ValueCodec<T>): T | undefined {
  if (state instanceof StateOverlay) return state.getValue(key, codec);
  const bytes = state.get(key);
  return bytes === undefined ? undefined : codec.decode(bytes);
}

/** Writes a value to any writer: an overlay keeps it decoded until its bytes are needed. */
export function writeValue<T>(state: StateWriter, key: string, codec: ValueCodec<T>, value: T): void {
  if (state instanceof StateOverlay) state.setValue(key, codec, value);
  else state.set(key, codec.encode(value));
}
