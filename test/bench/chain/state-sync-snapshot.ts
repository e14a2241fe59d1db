// Benchmark: what a state sync snapshot costs at a given number of keys: opening the committed entries at a commit
// (on the consensus path), reading and writing the chunks (in the background), and restoring them into an empty store.
// Run: npx tsx test/bench/chain/state-sync-snapshot.ts [--keys N] [--value-bytes N]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommittedStore } from "../../../chain-sidecar/state/committed-store.js";
import type { StateEntry } from "../../../chain-sidecar/state/state-access.js";
import { DEFAULT_MAX_CHUNK_BYTES } from "../../../chain-sidecar/snapshots/snapshot-format.js";
import { SnapshotRestore } from "../../../chain-sidecar/snapshots/snapshot-restore.js";
import { committedStateInstaller } from "../../../chain-sidecar/snapshots/state-install.js";
import { SnapshotStore } from "../../../chain-sidecar/snapshots/snapshot-store.js";
import { numericFlag } from "../numeric-flag.js";

const keys = numericFlag("keys", 20_000);
const valueBytes = numericFlag("value-bytes", 100);
const HEIGHT = 10;

async function timed<T>(run: () => Promise<T> | T): Promise<[T, number]> {
  const started = performance.now();
  const value = await run();
  return [value, Math.round(performance.now() - started)];
}

const dir = mkdtempSync(join(tmpdir(), "uranus-snapshot-bench-"));
try {
  const source = await CommittedStore.open(join(dir, "source"));
  const entries: StateEntry[] = Array.from({ length: keys }, (_, i) => [
    `k/${String(i).padStart(8, "0")}`,
    new Uint8Array(valueBytes).fill(i % 251),
  ]);
  const [root, buildMs] = await timed(() => source.trie.apply(entries));
  await source.commit(entries, HEIGHT, root);
  // What the consensus path pays: opening the stream at the commit; reading it is part of the background write.
  const [stream, openMs] = await timed(() => source.committedEntries());
  const snapshots = await SnapshotStore.open(join(dir, "snapshots"), 2);
  const [snapshot, writeMs] = await timed(() =>
    snapshots.write(HEIGHT, root, stream, DEFAULT_MAX_CHUNK_BYTES),
  );

  const target = await CommittedStore.open(join(dir, "target"));
  const restore = new SnapshotRestore(
    snapshot,
    root,
    committedStateInstaller(target, { guard: (step) => step(), installed: () => undefined }),
  );
  const [, restoreMs] = await timed(async () => {
    for (let index = 0; index < snapshot.chunks; index++) {
      const chunk = await snapshots.loadChunk(snapshot.height, snapshot.format, index);
      if (chunk === undefined) throw new Error(`chunk ${index} is missing`);
      await restore.apply(index, chunk, "bench");
    }
  });
  if (target.height !== HEIGHT || Buffer.compare(target.appHash, root) !== 0) {
    throw new Error("the restored store is not at the snapshot's height and app hash");
  }
  console.log(
    JSON.stringify({
      keys,
      valueBytes,
      chunks: snapshot.chunks,
      buildTrieMs: buildMs,
      openEntriesAtCommitMs: openMs,
      writeSnapshotMs: writeMs,
      restoreMs,
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    }),
  );
  await source.close();
  await target.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
