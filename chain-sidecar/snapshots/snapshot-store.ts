// Snapshots on disk: <dir>/<height>/ holds snapshot.json (the ABCI descriptor) and one file per chunk.
// A snapshot is written into a temporary directory and renamed into place, so a listed snapshot is always whole.
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StateEntry } from "../state/state-access.js";
import { chunksOf, describeSnapshot, type SnapshotDescriptor } from "./snapshot-format.js";
import { sha256 } from "../state/sha256.js";

const DESCRIPTOR_FILE = "snapshot.json";
const TEMPORARY_PREFIX = ".writing-";

interface DescriptorJson {
  height: string;
  format: number;
  chunks: number;
  hash: string;
  metadata: string;
}

function toJson(snapshot: SnapshotDescriptor): DescriptorJson {
  return {
    height: snapshot.height.toString(),
    format: snapshot.format,
    chunks: snapshot.chunks,
    hash: Buffer.from(snapshot.hash).toString("hex"),
    metadata: Buffer.from(snapshot.metadata).toString("base64"),
  };
}

function fromJson(json: DescriptorJson): SnapshotDescriptor {
  return {
    height: BigInt(json.height),
    format: json.format,
    chunks: json.chunks,
    hash: new Uint8Array(Buffer.from(json.hash, "hex")),
    metadata: new Uint8Array(Buffer.from(json.metadata, "base64")),
  };
}

export class SnapshotStore {
  /** Whole snapshots, newest first. */
  private snapshots: SnapshotDescriptor[];

  private constructor(
    readonly dir: string,
    private readonly keep: number,
    snapshots: SnapshotDescriptor[],
  ) {
    this.snapshots = snapshots;
  }

  /** Opens `dir`, dropping what an interrupted write left behind and anything that is not a whole snapshot. */
  static async open(dir: string, keep: number): Promise<SnapshotStore> {
    if (!Number.isInteger(keep) || keep < 1)
      throw new Error(`snapshots to keep must be at least 1, got ${keep}`);
    await mkdir(dir, { recursive: true });
    const found: SnapshotDescriptor[] = [];
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      try {
        if (!/^\d+$/.test(name)) throw new Error("not a snapshot directory");
        const snapshot = fromJson(
          JSON.parse(await readFile(join(path, DESCRIPTOR_FILE), "utf8")) as DescriptorJson,
        );
        if (snapshot.height.toString() !== name) throw new Error("height differs from its directory");
        found.push(snapshot);
      } catch {
        await rm(path, { recursive: true, force: true });
      }
    }
    const store = new SnapshotStore(
      dir,
      keep,
      found.sort((a, b) => Number(b.height - a.height)),
    );
    await store.prune();
    return store;
  }

  /** The whole snapshots, newest first. */
  list(): SnapshotDescriptor[] {
    return [...this.snapshots];
  }

  /** One chunk's bytes, or undefined when that snapshot or chunk is not (or no longer) here. */
  async loadChunk(height: bigint, format: number, index: number): Promise<Uint8Array | undefined> {
    const snapshot = this.snapshots.find((s) => s.height === height && s.format === format);
    if (snapshot === undefined || !Number.isInteger(index) || index < 0 || index >= snapshot.chunks) {
      return undefined;
    }
    try {
      return new Uint8Array(await readFile(join(this.dir, height.toString(), String(index))));
    } catch {
      // Pruned between the lookup and the read: the peer asks another node.
      return undefined;
    }
  }

  /**
   * Writes the snapshot of `entries` (sorted, the whole state at `height`, whose block time is `blockTimeMs`; 0 when
   * unknown, as a store reads before its first block), lists it, and drops the oldest beyond the number to keep.
   * Entries are read, and chunks encoded and written, one chunk at a time, so memory holds one chunk and the event
   * loop keeps serving in between.
   */
  async write(
    height: number,
    appHash: Uint8Array,
    entries: Iterable<StateEntry>,
    maxChunkBytes: number,
    blockTimeMs = 0,
  ): Promise<SnapshotDescriptor> {
    const name = String(height);
    const temporary = join(this.dir, `${TEMPORARY_PREFIX}${name}`);
    await rm(temporary, { recursive: true, force: true });
    await mkdir(temporary);
    const chunkHashes: Uint8Array[] = [];
    let count = 0;
    const counted = function* (): Generator<StateEntry> {
      for (const entry of entries) {
        count++;
        yield entry;
      }
    };
    for (const chunk of chunksOf(counted(), maxChunkBytes)) {
      await writeFile(join(temporary, String(chunkHashes.length)), chunk);
      chunkHashes.push(sha256(chunk));
    }
    const snapshot = describeSnapshot(height, appHash, count, chunkHashes, blockTimeMs);
    await writeFile(join(temporary, DESCRIPTOR_FILE), JSON.stringify(toJson(snapshot), null, 2) + "\n");
    await rm(join(this.dir, name), { recursive: true, force: true });
    await rename(temporary, join(this.dir, name));
    this.snapshots = [snapshot, ...this.snapshots.filter((s) => s.height !== snapshot.height)].sort((a, b) =>
      Number(b.height - a.height),
    );
    await this.prune();
    return snapshot;
  }

  private async prune(): Promise<void> {
    const dropped = this.snapshots.slice(this.keep);
    this.snapshots = this.snapshots.slice(0, this.keep);
    for (const snapshot of dropped) {
      await rm(join(this.dir, snapshot.height.toString()), { recursive: true, force: true });
    }
  }
}
