// Snapshot format 2: the committed state as sorted (key, value) entries cut into chunks of bounded size, each chunk
// named by its sha256 in the snapshot's metadata, and the snapshot hash a sha256 over those chunk hashes. Format 2
// adds the snapshot height's block time to format 1's metadata, so a restored node knows it before its first block.
// The chunk layout is a flat length-prefixed list (no schema library needed), so its bytes are exact and stable.
import { sha256 } from "../state/sha256.js";
import type { StateEntry } from "../state/state-access.js";

export const SNAPSHOT_FORMAT = 2;
/** Chunks stay well under CometBFT's 16 MB p2p chunk message, and small enough to fetch from several peers at once. */
export const DEFAULT_MAX_CHUNK_BYTES = 1 << 20;
const HASH_BYTES = 32;
const LENGTH_BYTES = 4;
const TIME_BYTES = 8;

/** What a snapshot's metadata carries: the hash of every chunk in order, the entry count, app hash and block time. */
export interface SnapshotMetadata {
  chunkHashes: Uint8Array[];
  entries: number;
  appHash: Uint8Array;
  /**
   * The time (ms) of the block at the snapshot's height. No header vouches for it (it is outside the app hash), so it
   * serves only what a node reads beside consensus (CheckTx, queries) until its first block brings a trusted one.
   */
  blockTimeMs: number;
}

/** The ABCI description of a snapshot (the fields of abci.Snapshot). */
export interface SnapshotDescriptor {
  height: bigint;
  format: number;
  chunks: number;
  hash: Uint8Array;
  metadata: Uint8Array;
}

const entryBytes = ([key, value]: StateEntry): number => 2 * LENGTH_BYTES + key.length + value.length;

/** Lays out entries as: count, then for each entry key length, key (ASCII), value length, value (all u32 BE). */
export function encodeChunk(entries: readonly StateEntry[]): Uint8Array {
  const total = LENGTH_BYTES + entries.reduce((sum, entry) => sum + entryBytes(entry), 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, entries.length);
  let at = LENGTH_BYTES;
  for (const [key, value] of entries) {
    view.setUint32(at, key.length);
    bytes.set(Buffer.from(key, "latin1"), at + LENGTH_BYTES);
    at += LENGTH_BYTES + key.length;
    view.setUint32(at, value.length);
    bytes.set(value, at + LENGTH_BYTES);
    at += LENGTH_BYTES + value.length;
  }
  return bytes;
}

/** Reads a chunk back; throws on any malformed byte, a key out of order, or a key not above `after`. */
export function decodeChunk(bytes: Uint8Array, after?: string): StateEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (at: number, length: number): Uint8Array => {
    if (at + length > bytes.length) throw new Error(`chunk ends at ${bytes.length}, needs ${at + length}`);
    return bytes.subarray(at, at + length);
  };
  const u32 = (at: number): number => {
    read(at, LENGTH_BYTES);
    return view.getUint32(at);
  };
  const count = u32(0);
  const entries: StateEntry[] = [];
  let at = LENGTH_BYTES;
  let previous = after;
  for (let i = 0; i < count; i++) {
    const keyLength = u32(at);
    const key = Buffer.from(read(at + LENGTH_BYTES, keyLength)).toString("latin1");
    at += LENGTH_BYTES + keyLength;
    const valueLength = u32(at);
    const value = new Uint8Array(read(at + LENGTH_BYTES, valueLength));
    at += LENGTH_BYTES + valueLength;
    if (!/^[\x21-\x7e]+$/.test(key)) throw new Error(`entry ${i} has a key that is not printable ASCII`);
    if (previous !== undefined && key <= previous) {
      throw new Error(
        `entry ${i} key ${JSON.stringify(key)} does not sort after ${JSON.stringify(previous)}`,
      );
    }
    entries.push([key, value]);
    previous = key;
  }
  if (at !== bytes.length) throw new Error(`chunk has ${bytes.length - at} bytes after its ${count} entries`);
  return entries;
}

/**
 * Cuts sorted entries into encoded chunks of at most `maxChunkBytes` (an entry larger than that gets one alone),
 * taking them one at a time, so only one chunk's entries are held.
 */
export function* chunksOf(entries: Iterable<StateEntry>, maxChunkBytes: number): Generator<Uint8Array> {
  let chunk: StateEntry[] = [];
  let size = LENGTH_BYTES;
  for (const entry of entries) {
    const bytes = entryBytes(entry);
    if (chunk.length > 0 && size + bytes > maxChunkBytes) {
      yield encodeChunk(chunk);
      chunk = [];
      size = LENGTH_BYTES;
    }
    chunk.push(entry);
    size += bytes;
  }
  // Always at least one chunk: CometBFT refuses a snapshot of zero chunks.
  yield encodeChunk(chunk);
}

/** The snapshot hash: sha256 over the chunk hashes in order, so equal hashes mean equal chunks. */
export function snapshotHash(chunkHashes: readonly Uint8Array[]): Uint8Array {
  return sha256(Buffer.concat(chunkHashes));
}

/**
 * Metadata bytes: the app hash, the entry count (u32 BE), the block time (ms, u64 BE) and the chunk hashes, each hash
 * 32 bytes.
 */
export function encodeMetadata(metadata: SnapshotMetadata): Uint8Array {
  if (!Number.isSafeInteger(metadata.blockTimeMs) || metadata.blockTimeMs < 0) {
    throw new Error(`snapshot block time ${metadata.blockTimeMs} is not a whole number of ms since 1970`);
  }
  const fields = new Uint8Array(LENGTH_BYTES + TIME_BYTES);
  const view = new DataView(fields.buffer);
  view.setUint32(0, metadata.entries);
  view.setBigUint64(LENGTH_BYTES, BigInt(metadata.blockTimeMs));
  return new Uint8Array(Buffer.concat([metadata.appHash, fields, ...metadata.chunkHashes]));
}

export function decodeMetadata(bytes: Uint8Array): SnapshotMetadata {
  const hashesAt = HASH_BYTES + LENGTH_BYTES + TIME_BYTES;
  if (bytes.length < hashesAt || (bytes.length - hashesAt) % HASH_BYTES !== 0) {
    throw new Error(
      `snapshot metadata of ${bytes.length} bytes is not app hash, count, block time and 32-byte chunk hashes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + HASH_BYTES, LENGTH_BYTES + TIME_BYTES);
  const blockTimeMs = view.getBigUint64(LENGTH_BYTES);
  if (blockTimeMs > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`snapshot block time ${blockTimeMs} ms is past any real time`);
  }
  const chunkHashes: Uint8Array[] = [];
  for (let at = hashesAt; at < bytes.length; at += HASH_BYTES) {
    chunkHashes.push(new Uint8Array(bytes.subarray(at, at + HASH_BYTES)));
  }
  return {
    appHash: new Uint8Array(bytes.subarray(0, HASH_BYTES)),
    entries: view.getUint32(0),
    blockTimeMs: Number(blockTimeMs),
    chunkHashes,
  };
}

/** Describes a snapshot whose chunks hash to `chunkHashes`, taken at the block of `blockTimeMs`. */
export function describeSnapshot(
  height: number,
  appHash: Uint8Array,
  entries: number,
  chunkHashes: Uint8Array[],
  blockTimeMs: number,
): SnapshotDescriptor {
  return {
    height: BigInt(height),
    format: SNAPSHOT_FORMAT,
    chunks: chunkHashes.length,
    hash: snapshotHash(chunkHashes),
    metadata: encodeMetadata({ chunkHashes, entries, appHash, blockTimeMs }),
  };
}

/** Checks that a descriptor is internally consistent: format, chunk count and hash agree with its metadata. */
export function checkDescriptor(snapshot: SnapshotDescriptor): SnapshotMetadata {
  if (snapshot.format !== SNAPSHOT_FORMAT) throw new Error(`snapshot format ${snapshot.format} is not ours`);
  const metadata = decodeMetadata(snapshot.metadata);
  if (metadata.chunkHashes.length !== snapshot.chunks || snapshot.chunks === 0) {
    throw new Error(`snapshot says ${snapshot.chunks} chunks, its metadata ${metadata.chunkHashes.length}`);
  }
  if (Buffer.compare(snapshotHash(metadata.chunkHashes), snapshot.hash) !== 0) {
    throw new Error("snapshot hash is not the hash of its chunk hashes");
  }
  return metadata;
}
