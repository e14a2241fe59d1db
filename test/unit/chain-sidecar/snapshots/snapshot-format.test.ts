import { expect } from "chai";
import { ResponseApplySnapshotChunk_Result as ChunkResult } from "cosmjs-types/tendermint/abci/types";
import { MerkleTrie } from "../../../../chain-sidecar/state/merkle-trie.js";
import type { StateEntry } from "../../../../chain-sidecar/state/state-access.js";
import {
  checkDescriptor,
  chunksOf,
  decodeChunk,
  decodeMetadata,
  describeSnapshot,
  encodeChunk,
  encodeMetadata,
  SNAPSHOT_FORMAT,
} from "../../../../chain-sidecar/snapshots/snapshot-format.js";
import { sha256 } from "../../../../chain-sidecar/state/sha256.js";
import {
  SnapshotRestore,
  type StateInstaller,
} from "../../../../chain-sidecar/snapshots/snapshot-restore.js";

const encoder = new TextEncoder();
/** A block time past 2^32 ms, so the 64-bit field is exercised. */
const BLOCK_TIME_MS = 1_767_225_600_123;

/** `count` sorted entries with values of growing length, so chunk boundaries fall at uneven places. */
function sampleEntries(count: number): StateEntry[] {
  return Array.from({ length: count }, (_, i) => [
    `k/${String(i).padStart(5, "0")}`,
    encoder.encode("v".repeat(1 + (i % 37))),
  ]);
}

async function rootOf(entries: readonly StateEntry[]): Promise<Uint8Array> {
  return (await MerkleTrie.create()).apply(entries);
}

describe("chain-sidecar snapshots: format", () => {
  it("cuts sorted entries into chunks within the size bound that decode back to the same entries", () => {
    const entries = sampleEntries(500);
    const chunks = [...chunksOf(entries, 1024)];
    expect(chunks.length).to.be.greaterThan(10);
    for (const chunk of chunks) expect(chunk.length).to.be.at.most(1024);
    let last: string | undefined;
    const decoded: StateEntry[] = [];
    for (const chunk of chunks) {
      const part = decodeChunk(chunk, last);
      decoded.push(...part);
      last = part.at(-1)?.[0];
    }
    expect(decoded).to.deep.equal(entries);
  });

  it("gives an entry larger than the bound a chunk of its own, and an empty state one empty chunk", () => {
    const big: StateEntry = ["k/big", new Uint8Array(5000)];
    const chunks = [...chunksOf([["k/a", encoder.encode("x")], big, ["k/c", encoder.encode("y")]], 1024)];
    expect(chunks.map((c) => decodeChunk(c).map(([key]) => key))).to.deep.equal([
      ["k/a"],
      ["k/big"],
      ["k/c"],
    ]);
    const empty = [...chunksOf([], 1024)];
    expect(empty).to.have.length(1);
    expect(decodeChunk(empty[0]!)).to.deep.equal([]);
  });

  it("refuses truncated chunks, trailing bytes, unsorted keys and keys not after the previous chunk", () => {
    const chunk = encodeChunk([
      ["a/1", encoder.encode("one")],
      ["a/2", encoder.encode("two")],
    ]);
    expect(() => decodeChunk(chunk.subarray(0, chunk.length - 1))).to.throw(/chunk ends/);
    expect(() => decodeChunk(new Uint8Array([...chunk, 0]))).to.throw(/1 bytes after/);
    const unsorted = encodeChunk([
      ["a/2", encoder.encode("two")],
      ["a/1", encoder.encode("one")],
    ]);
    expect(() => decodeChunk(unsorted)).to.throw(/does not sort after/);
    expect(() => decodeChunk(chunk, "a/1")).to.throw(/does not sort after "a\/1"/);
    expect(decodeChunk(chunk, "a/0")).to.have.length(2);
  });

  it("describes a snapshot by its chunk hashes and refuses a descriptor whose parts disagree", () => {
    const chunks = [...chunksOf(sampleEntries(100), 512)];
    const hashes = chunks.map(sha256);
    const appHash = sha256(encoder.encode("root"));
    const snapshot = describeSnapshot(12, appHash, 100, hashes, BLOCK_TIME_MS);
    expect(snapshot.format).to.equal(SNAPSHOT_FORMAT);
    expect(snapshot.chunks).to.equal(chunks.length);
    expect(Buffer.from(snapshot.hash)).to.deep.equal(Buffer.from(sha256(Buffer.concat(hashes))));
    const metadata = checkDescriptor(snapshot);
    expect(metadata.entries).to.equal(100);
    expect(metadata.blockTimeMs).to.equal(BLOCK_TIME_MS);
    expect(metadata.chunkHashes.map((h) => Buffer.from(h).toString("hex"))).to.deep.equal(
      hashes.map((h) => Buffer.from(h).toString("hex")),
    );
    expect(() => checkDescriptor({ ...snapshot, chunks: snapshot.chunks + 1 })).to.throw(/chunks/);
    expect(() => checkDescriptor({ ...snapshot, hash: sha256(encoder.encode("other")) })).to.throw(/hash/);
    expect(() => checkDescriptor({ ...snapshot, format: 1 })).to.throw(/format 1/);
  });

  it("carries the snapshot block's time in format 2's metadata, and refuses metadata without it", () => {
    const appHash = sha256(encoder.encode("root"));
    const chunkHashes = [sha256(encoder.encode("a")), sha256(encoder.encode("b"))];
    const bytes = encodeMetadata({ appHash, entries: 7, blockTimeMs: BLOCK_TIME_MS, chunkHashes });
    expect(SNAPSHOT_FORMAT).to.equal(2);
    expect(bytes.length).to.equal(32 + 4 + 8 + 2 * 32);
    expect(decodeMetadata(bytes)).to.deep.equal({
      appHash,
      entries: 7,
      blockTimeMs: BLOCK_TIME_MS,
      chunkHashes,
    });
    // Format 1's metadata (app hash, count, chunk hashes) is 8 bytes short of a whole one.
    const formatOne = Buffer.concat([appHash, new Uint8Array(4), ...chunkHashes]);
    expect(() => decodeMetadata(formatOne)).to.throw(/block time/);
    const pastSafe = new Uint8Array(bytes);
    pastSafe.fill(0xff, 36, 44);
    expect(() => decodeMetadata(pastSafe)).to.throw(/past any real time/);
    expect(() => encodeMetadata({ appHash, entries: 7, blockTimeMs: -1, chunkHashes })).to.throw(
      /block time/,
    );
  });
});

describe("chain-sidecar snapshots: restoring a snapshot", () => {
  const entries = sampleEntries(300);
  const chunks = [...chunksOf(entries, 800)];
  let appHash: Uint8Array;

  before(async () => {
    appHash = await rootOf(entries);
  });

  /** An installer that keeps each chunk's entries and installs them only if they hash to the app hash, as the app does. */
  function recordingInstaller(): {
    installer: StateInstaller;
    installed: StateEntry[][];
    abandoned: () => number;
  } {
    const installed: StateEntry[][] = [];
    let pending: StateEntry[] = [];
    let abandoned = 0;
    return {
      installed,
      abandoned: () => abandoned,
      installer: {
        add: (chunkEntries) => {
          pending.push(...chunkEntries);
          return Promise.resolve();
        },
        finish: async (height, trusted, blockTimeMs) => {
          expect(height).to.equal(7);
          expect(blockTimeMs).to.equal(BLOCK_TIME_MS);
          const restored = pending;
          pending = [];
          if (Buffer.compare(await rootOf(restored), trusted) !== 0) return false;
          installed.push(restored);
          return true;
        },
        abandon: () => {
          pending = [];
          abandoned++;
          return Promise.resolve();
        },
      },
    };
  }

  it("takes every chunk in order and installs entries that hash to the trusted app hash", async () => {
    const snapshot = describeSnapshot(7, appHash, entries.length, chunks.map(sha256), BLOCK_TIME_MS);
    const { installer, installed } = recordingInstaller();
    const restore = new SnapshotRestore(snapshot, appHash, installer);
    for (const [index, chunk] of chunks.entries()) {
      const outcome = await restore.apply(index, chunk, "peer-a");
      expect(outcome.result, `chunk ${index}`).to.equal(ChunkResult.ACCEPT);
    }
    expect(restore.done).to.equal(true);
    expect(installed).to.have.length(1);
    expect(installed[0]).to.deep.equal(entries);
    expect(Buffer.compare(await rootOf(installed[0]!), appHash)).to.equal(0);
  });

  it("refuses a tampered chunk, bans its sender and asks for it again, then takes the true one", async () => {
    const snapshot = describeSnapshot(7, appHash, entries.length, chunks.map(sha256), BLOCK_TIME_MS);
    const { installer, installed } = recordingInstaller();
    const restore = new SnapshotRestore(snapshot, appHash, installer);
    expect((await restore.apply(0, chunks[0]!, "peer-a")).result).to.equal(ChunkResult.ACCEPT);
    const tampered = new Uint8Array(chunks[1]!);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0xff;
    const refused = await restore.apply(1, tampered, "peer-evil");
    expect(refused).to.include({ result: ChunkResult.RETRY });
    expect(refused.refetchChunks).to.deep.equal([1]);
    expect(refused.rejectSenders).to.deep.equal(["peer-evil"]);
    for (let index = 1; index < chunks.length; index++) {
      expect((await restore.apply(index, chunks[index]!, "peer-b")).result).to.equal(ChunkResult.ACCEPT);
    }
    expect(installed[0]).to.deep.equal(entries);
  });

  it("rejects the snapshot and every sender when its whole state does not hash to the trusted app hash", async () => {
    const forged = entries.map(([key, value], i): StateEntry => [
      key,
      i === 42 ? encoder.encode("forged") : value,
    ]);
    const forgedChunks = [...chunksOf(forged, 800)];
    // The forger describes its own chunks honestly but claims the chain's app hash.
    const snapshot = describeSnapshot(7, appHash, forged.length, forgedChunks.map(sha256), BLOCK_TIME_MS);
    const { installer, installed, abandoned } = recordingInstaller();
    const restore = new SnapshotRestore(snapshot, appHash, installer);
    const outcomes = [];
    for (const [index, chunk] of forgedChunks.entries()) {
      outcomes.push(await restore.apply(index, chunk, index % 2 === 0 ? "peer-x" : "peer-y"));
    }
    expect(outcomes.at(-1)?.result).to.equal(ChunkResult.REJECT_SNAPSHOT);
    expect(outcomes.at(-1)?.rejectSenders).to.deep.equal(["peer-x", "peer-y"]);
    expect(installed).to.have.length(0);
    expect(abandoned()).to.equal(1);
  });

  it("refuses a snapshot made for another app hash, and restarts one whose chunks come out of order", async () => {
    const snapshot = describeSnapshot(7, appHash, entries.length, chunks.map(sha256), BLOCK_TIME_MS);
    expect(
      () =>
        new SnapshotRestore(
          snapshot,
          sha256(encoder.encode("another chain")),
          recordingInstaller().installer,
        ),
    ).to.throw(/taken at app hash/);
    const { installer, abandoned } = recordingInstaller();
    const restore = new SnapshotRestore(snapshot, appHash, installer);
    const outcome = await restore.apply(1, chunks[1]!, "peer-a");
    expect(outcome.result).to.equal(ChunkResult.RETRY_SNAPSHOT);
    expect(abandoned()).to.equal(1);
  });
});
