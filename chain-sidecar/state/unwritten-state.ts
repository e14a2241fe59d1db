// The state changes and metadata of the blocks committed since the store last wrote its tables (they are in the block
// log on disk), in two generations: the blocks a table write in progress is writing, and those after it. Reads of the
// committed state see the newer generation, then the older, then the tables.
import type { StateChange, StateEntry } from "./state-access.js";

/** What an entry costs beyond its key and value bytes. */
const ENTRY_OVERHEAD_BYTES = 100;

/** The blocks of one table write. */
class Generation {
  readonly changes = new Map<string, Uint8Array | null>();
  readonly metadata = new Map<string, Uint8Array>();
  /** The changed keys in order, made on the first scan after a block and kept until the next. */
  private sortedKeys: string[] | undefined;
  blocks = 0;
  bytes = 0;

  add(changes: readonly StateChange[], metadata: readonly [string, Uint8Array][]): void {
    for (const [key, value] of changes) {
      this.changes.set(key, value);
      this.bytes += key.length + (value?.length ?? 0) + ENTRY_OVERHEAD_BYTES;
    }
    for (const [name, value] of metadata) this.metadata.set(name, value);
    if (changes.length > 0) this.sortedKeys = undefined;
    this.blocks++;
  }

  /** The changes with keys in [low, high), in key order. */
  changesIn(low?: string, high?: string): StateChange[] {
    this.sortedKeys ??= [...this.changes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const keys = this.sortedKeys;
    const from = low === undefined ? 0 : lowerBound(keys, low);
    const to = high === undefined ? keys.length : lowerBound(keys, high);
    return keys.slice(from, to).map((key) => [key, this.changes.get(key)!]);
  }
}

export class UnwrittenState {
  private current = new Generation();
  private writing: Generation | undefined;

  /** A committed block's changes and metadata. */
  add(changes: readonly StateChange[], metadata: readonly [string, Uint8Array][]): void {
    this.current.add(changes, metadata);
  }

  /** The value at `key` (null: deleted), or undefined when no unwritten block changed it. */
  get(key: string): Uint8Array | null | undefined {
    const value = this.current.changes.get(key);
    return value !== undefined ? value : this.writing?.changes.get(key);
  }

  metadata(name: string): Uint8Array | undefined {
    return this.current.metadata.get(name) ?? this.writing?.metadata.get(name);
  }

  /** Blocks since the last table write began. */
  get blocks(): number {
    return this.current.blocks;
  }

  /** About how many bytes those blocks' changes hold (a key changed twice counts twice). */
  get bytes(): number {
    return this.current.bytes;
  }

  /** Whether every committed block is in the tables. */
  get isEmpty(): boolean {
    return this.current.blocks === 0 && this.writing === undefined;
  }

  /** Starts a table write of the blocks so far: returns their changes in key order and their last metadata. */
  beginWrite(): { changes: StateChange[]; metadata: [string, Uint8Array][] } {
    if (this.writing !== undefined) throw new Error("a table write is still in progress");
    this.writing = this.current;
    this.current = new Generation();
    return { changes: this.writing.changesIn(), metadata: [...this.writing.metadata] };
  }

  /** The table write committed: its blocks are read from the tables from now on. */
  endWrite(): void {
    this.writing = undefined;
  }

  /** Every unwritten change in key order, the newer generation's winning. */
  allChanges(): StateChange[] {
    if (this.writing === undefined) return this.current.changesIn();
    return [...mergeChanges(this.writing.changesIn(), this.current.changesIn(), true)] as StateChange[];
  }

  /** The entries of `stored` (the range [low, high) beneath, in key order) with the unwritten changes laid over. */
  merged(stored: Iterable<StateEntry>, low: string, high: string): Iterable<StateEntry> {
    const older =
      this.writing === undefined ? stored : mergeChanges(stored, this.writing.changesIn(low, high));
    return mergeChanges(older, this.current.changesIn(low, high)) as Iterable<StateEntry>;
  }

  /** Back to nothing unwritten: the tables hold every commit (or were emptied). */
  clear(): void {
    this.current = new Generation();
    this.writing = undefined;
  }
}

/**
 * `below` (in key order) with sorted `changes` laid over it: changed values replace, and nulls remove, unless
 * `keepDeletions` (when both are changes).
 */
export function* mergeChanges(
  below: Iterable<StateEntry | StateChange>,
  changes: readonly StateChange[],
  keepDeletions = false,
): Generator<StateEntry | StateChange> {
  let next = 0;
  const emit = function* (change: StateChange): Generator<StateEntry | StateChange> {
    if (change[1] !== null || keepDeletions) yield change;
  };
  for (const entry of below) {
    for (; next < changes.length && changes[next]![0] < entry[0]; next++) yield* emit(changes[next]!);
    if (next < changes.length && changes[next]![0] === entry[0]) yield* emit(changes[next++]!);
    else yield entry;
  }
  for (; next < changes.length; next++) yield* emit(changes[next]!);
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
