// Benchmark: a block's trie update, one mpt put per key (how blocks were applied before) against the one-pass update,
// side by side on identical tries held in memory (mpt's by hash, ours by position), at a small and a large key count.
// Run: npx tsx test/bench/chain/trie-update.ts [--small 10000] [--keys 300000] [--block 500] [--blocks 10]
import { createHash } from "node:crypto";
import { createMPT } from "@ethereumjs/mpt";
import { sha256 } from "../../../chain-sidecar/state/sha256.js";
import { pathChanges, updateTrie } from "../../../chain-sidecar/state/trie-batch-update.js";
import { InMemoryNodeTable, TrieNodeStore } from "../../../chain-sidecar/state/trie-node-store.js";
import { numericFlag } from "../numeric-flag.js";

const smallKeys = numericFlag("small", 10_000);
const largeKeys = numericFlag("keys", 300_000);
const blockKeys = numericFlag("block", 500);
const blocks = numericFlag("blocks", 10);
const encoder = new TextEncoder();

const keyOf = (i: number): Uint8Array => encoder.encode(`metering/settlement/pod/${i}`);
/** A settlement-sized value that changes with the round. */
const valueOf = (i: number, round: number): Uint8Array =>
  encoder.encode(createHash("sha256").update(`${i}:${round}`).digest("hex").repeat(4).slice(0, 220));

/** The keys block `b` changes: mostly updates of existing keys, a few new ones. */
function blockChanges(keys: number, b: number): [Uint8Array, Uint8Array][] {
  const changes: [Uint8Array, Uint8Array][] = [];
  for (let j = 0; j < blockKeys; j++) {
    const key = j % 10 === 0 ? keys + b * blockKeys + j : (b * 7919 + j * 104_729) % keys;
    changes.push([keyOf(key), valueOf(key, b + 1)]);
  }
  return changes;
}

/** Commits the store's pending nodes and writes them to its table, as the committed store does. */
function writeNodes(store: TrieNodeStore, table: InMemoryNodeTable): void {
  store.commitPending();
  for (const [key, node] of store.takeUnwritten()) {
    if (node === null) table.removeSync(key);
    else table.putSync(key, node);
  }
  store.markWritten();
}

async function measure(keys: number): Promise<{ mptMs: number; batchMs: number; sameRoots: boolean }> {
  const table = new InMemoryNodeTable();
  const store = new TrieNodeStore(table, 1 << 30);
  const initial: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < keys; i++) initial.push([keyOf(i), valueOf(i, 0)]);
  const root = updateTrie(undefined, pathChanges(initial, sha256), store, sha256)!;
  writeNodes(store, table);
  // mpt keeps its nodes by hash: it gets the same nodes through its own database.
  const byHash: { type: "put"; key: Uint8Array; value: Uint8Array }[] = [];
  updateTrie(
    undefined,
    pathChanges(initial, sha256),
    {
      read: () => undefined,
      write: (_position, hash, encoded) => byHash.push({ type: "put", key: hash, value: encoded }),
      remove: () => undefined,
    },
    sha256,
  );
  const mpt = await createMPT({ useKeyHashing: true, useKeyHashingFunction: sha256, useNodePruning: true });
  await mpt.database().batch(byHash);
  mpt.root(root);
  let batchRoot: Uint8Array = root;
  let mptMs = 0;
  let batchMs = 0;
  let sameRoots = true;
  for (let b = 0; b < blocks; b++) {
    const changes = blockChanges(keys, b);
    let started = performance.now();
    for (const [key, value] of changes) await mpt.put(key, value);
    mptMs += performance.now() - started;
    const mptRoot = mpt.root();
    started = performance.now();
    batchRoot = updateTrie(batchRoot, pathChanges(changes, sha256), store, sha256)!;
    batchMs += performance.now() - started;
    writeNodes(store, table);
    sameRoots &&= Buffer.compare(mptRoot, batchRoot) === 0;
  }
  return { mptMs: mptMs / blocks, batchMs: batchMs / blocks, sameRoots };
}

const small = await measure(smallKeys);
const large = await measure(largeKeys);
const row = (keys: number, m: { mptMs: number; batchMs: number; sameRoots: boolean }): object => ({
  keys,
  mptPutPerKeyMsPerBlock: Number(m.mptMs.toFixed(1)),
  onePassMsPerBlock: Number(m.batchMs.toFixed(1)),
  speedup: Number((m.mptMs / m.batchMs).toFixed(2)),
  sameRoots: m.sameRoots,
});
console.log(
  JSON.stringify(
    {
      blockKeys,
      blocks,
      small: row(smallKeys, small),
      large: row(largeKeys, large),
      onePassGrowth: Number((large.batchMs / small.batchMs).toFixed(2)),
      mptGrowth: Number((large.mptMs / small.mptMs).toFixed(2)),
    },
    null,
    2,
  ),
);
