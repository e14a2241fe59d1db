// A layer of uncommitted writes over a reader: blocks, transactions and CheckTx each work in one and keep or drop it.
import {
  assertStateKey,
  scanBounds,
  type ScanRange,
  type StateChange,
  type StateEntry,
  type StateReader,
  type StateWriter,
} from "./state-access.js";

export class StateOverlay implements StateWriter {
  private readonly changes = new Map<string, Uint8Array | null>();

  constructor(private readonly parent: StateReader) {}

  get(key: string): Uint8Array | undefined {
    const change = this.changes.get(key);
    if (change !== undefined) return change ?? undefined;
    return this.parent.get(key);
  }

  set(key: string, value: Uint8Array): void {
    assertStateKey(key);
    if (value.length === 0)
      throw new Error(`state key ${key}: empty values are not stored; delete the key instead`);
    this.changes.set(key, value);
  }

  delete(key: string): void {
    assertStateKey(key);
    this.changes.set(key, null);
  }

  entries(prefix: string, range?: ScanRange): StateEntry[] {
    const [low, high] = scanBounds(prefix, range);
    const inRange: StateChange[] = [];
    let deletions = 0;
    for (const [key, value] of this.changes) {
      if (key >= low && key < high) {
        inRange.push([key, value]);
        if (value === null) deletions++;
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
      for (const [key, value] of this.changes) target.changes.set(key, value);
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

  /** The changes of this layer sorted by key; `null` marks a deletion. */
  sortedChanges(): StateChange[] {
    return [...this.changes.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}
