// The state changes and metadata of the blocks committed since the store last wrote its tables (they are in the block
// log on disk): what reads of the committed state see before the tables.
import type { StateChange, StateEntry } from "./state-access.js";

/** What an entry costs beyond its key and value bytes. */
const ENTRY_OVERHEAD_BYTES = 100;

export class UnwrittenState {
  private changes = new Map<string, Uint8Array | null>();
  private readonly metadataValues = new Map<string, Uint8Array>();
  /** The changed keys in order, made on the first scan after a block and kept until the next. */
  private sortedKeys: string[] | undefined;
  private blockCount = 0;
  private changeBytes = 0;

  /** A committed block's changes and metadata. */
  add(changes: readonly StateChange[], metadata: readonly [string, Uint8Array][]): void {
    for (const [key, value] of changes) {
      this.changes.set(key, value);
      this.changeBytes += key.length + (value?.length ?? 0) + ENTRY_OVERHEAD_BYTES;
    }
    for (const [name, value] of metadata) this.metadataValues.set(name, value);
    if (changes.length > 0) this.sortedKeys = undefined;
    this.blockCount++;
  }

  /** The value at `key` (null: deleted), or undefined when no unwritten block changed it. */
  get(key: string): Uint8Array | null | undefined {
    return this.changes.get(key);
  }

  metadata(name: string): Uint8Array | undefined {
    return this.metadataValues.get(name);
  }

  /** Blocks since the tables were written. */
  get blocks(): number {
    return this.blockCount;
  }

  /** About how many bytes the changes hold (a key changed twice counts twice). */
  get bytes(): number {
    return this.changeBytes;
  }

  /** Every change in key order; what the tables' next write puts. */
  sortedChanges(): StateChange[] {
    return this.keysInOrder().map((key) => [key, this.changes.get(key)!]);
  }

  allMetadata(): [string, Uint8Array][] {
    return [...this.metadataValues];
  }

  /** The entries of `stored` (the tables' range [low, high), in key order) with the unwritten changes in that range. */
  mergeRange(stored: Iterable<StateEntry>, low: string, high: string, limit?: number): StateEntry[] {
    const keys = this.keysInOrder();
    let next = lowerBound(keys, low);
    const found: StateEntry[] = [];
    const full = (): boolean => limit !== undefined && found.length >= limit;
    const takeChanged = (key: string): void => {
      const value = this.changes.get(key);
      if (value !== null && value !== undefined) found.push([key, value]);
    };
    for (const [key, value] of stored) {
      while (next < keys.length && keys[next]! < key && !full()) takeChanged(keys[next++]!);
      if (full()) return found;
      if (next < keys.length && keys[next] === key) takeChanged(keys[next++]!);
      else found.push([key, value]);
      if (full()) return found;
    }
    while (next < keys.length && keys[next]! < high && !full()) takeChanged(keys[next++]!);
    return found;
  }

  /** Back to nothing unwritten: the tables hold every commit. */
  clear(): void {
    this.changes = new Map();
    this.metadataValues.clear();
    this.sortedKeys = undefined;
    this.blockCount = 0;
    this.changeBytes = 0;
  }

  private keysInOrder(): string[] {
    this.sortedKeys ??= [...this.changes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.sortedKeys;
  }
}

/** The index of the first key ≥ `key` in sorted `keys`. */
function lowerBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle]! < key) low = middle + 1;
    else high = middle;
  }
  return low;
}
