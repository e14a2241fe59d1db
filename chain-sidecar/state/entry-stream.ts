// A stream of one commit's entries: a read of the state table that started when the stream was made, with the changes
// not yet in that table laid over it, consumed lazily so only what is being read is in memory.
import type { EntryStream, StateChange, StateEntry } from "./state-access.js";
import { asBytes } from "./state-database.js";
import { mergeChanges } from "./unwritten-state.js";

/** An LMDB range's entries as lmdb-js yields them. */
type RangeIterator = Iterator<{ key: string; value: Uint8Array }>;

/** The entries of `range` with `changes` (sorted; null deletes) laid over them. Starts reading at once. */
export function entryStream(range: RangeIterator, changes: readonly StateChange[]): EntryStream {
  // The first read starts the read transaction, at the commit being streamed.
  const first = range.next();
  let closed = false;
  const stored = function* (): Generator<StateEntry> {
    for (let next = first; !next.done && !closed; next = range.next()) {
      yield [next.value.key, asBytes(next.value.value)];
    }
  };
  return {
    *[Symbol.iterator](): Generator<StateEntry> {
      for (const entry of mergeChanges(stored(), changes) as Generator<StateEntry>) {
        if (closed) return;
        yield entry;
      }
      closed = true;
    },
    close(): void {
      if (closed) return;
      closed = true;
      range.return?.();
    },
  };
}
