// Restoring one offered snapshot: each chunk is checked against the hash the metadata names before it is taken,
// so a peer that sends a bad chunk is banned and the chunk fetched again from another. Each chunk's entries go to the
// installer as they arrive (memory holds one chunk); the restored state becomes the committed state only once the
// last one is in and everything hashes to the app hash CometBFT's light client trusts, and is dropped otherwise.
import { ResponseApplySnapshotChunk_Result as ChunkResult } from "cosmjs-types/tendermint/abci/types";
import type { StateEntry } from "../state/state-access.js";
import { checkDescriptor, decodeChunk, type SnapshotDescriptor } from "./snapshot-format.js";
import { sha256 } from "../state/sha256.js";

export interface ChunkOutcome {
  result: ChunkResult;
  refetchChunks: number[];
  rejectSenders: string[];
  /** Why a chunk was not accepted, for the log. */
  reason?: string;
}

/** Where a restore puts the state, chunk by chunk, into a store that has none. */
export interface StateInstaller {
  /** Takes one chunk's entries (sorted, after every earlier chunk's). */
  add(entries: StateEntry[]): Promise<void>;
  /**
   * True makes everything added the committed state at `height`, whose block time is `blockTimeMs`; false (it does not
   * hash to `appHash`) drops it.
   */
  finish(height: number, appHash: Uint8Array, blockTimeMs: number): Promise<boolean>;
  /** Drops everything added so far. */
  abandon(): Promise<void>;
}

export class SnapshotRestore {
  private readonly chunkHashes: Uint8Array[];
  private readonly expectedEntries: number;
  private readonly blockTimeMs: number;
  private restoredEntries = 0;
  private readonly senders = new Set<string>();
  private nextIndex = 0;
  private lastKey: string | undefined;

  /** Throws, saying why, when the descriptor is inconsistent or made for another state than `trustedAppHash`. */
  constructor(
    readonly snapshot: SnapshotDescriptor,
    private readonly trustedAppHash: Uint8Array,
    private readonly installer: StateInstaller,
  ) {
    const metadata = checkDescriptor(snapshot);
    if (Buffer.compare(metadata.appHash, trustedAppHash) !== 0) {
      throw new Error(
        `snapshot was taken at app hash ${Buffer.from(metadata.appHash).toString("hex")}, the chain's is ` +
          Buffer.from(trustedAppHash).toString("hex"),
      );
    }
    this.chunkHashes = metadata.chunkHashes;
    this.expectedEntries = metadata.entries;
    this.blockTimeMs = metadata.blockTimeMs;
  }

  get height(): number {
    return Number(this.snapshot.height);
  }

  get done(): boolean {
    return this.nextIndex === this.chunkHashes.length;
  }

  /** Takes chunk `index` from `sender`; on the last chunk, the restored state is checked and made committed. */
  async apply(index: number, chunk: Uint8Array, sender: string): Promise<ChunkOutcome> {
    if (index !== this.nextIndex) {
      // CometBFT applies chunks in order; anything else means starting this snapshot over.
      await this.installer.abandon();
      return refuse(
        ChunkResult.RETRY_SNAPSHOT,
        `chunk ${index} arrived while ${this.nextIndex} was expected`,
      );
    }
    if (Buffer.compare(sha256(chunk), this.chunkHashes[index]!) !== 0) {
      return {
        ...refuse(ChunkResult.RETRY, `chunk ${index} does not match its hash in the snapshot metadata`),
        refetchChunks: [index],
        rejectSenders: sender === "" ? [] : [sender],
      };
    }
    let decoded: StateEntry[];
    try {
      decoded = decodeChunk(chunk, this.lastKey);
    } catch (error) {
      // The chunk matches its hash, so the metadata itself describes a bad snapshot.
      return this.rejectSnapshot(sender, `chunk ${index} is malformed: ${(error as Error).message}`);
    }
    await this.installer.add(decoded);
    this.restoredEntries += decoded.length;
    this.lastKey = decoded.at(-1)?.[0] ?? this.lastKey;
    if (sender !== "") this.senders.add(sender);
    this.nextIndex++;
    if (!this.done) return accept();
    if (this.restoredEntries !== this.expectedEntries) {
      return this.rejectSnapshot(
        sender,
        `chunks hold ${this.restoredEntries} entries, metadata says ${this.expectedEntries}`,
      );
    }
    if (!(await this.installer.finish(this.height, this.trustedAppHash, this.blockTimeMs))) {
      return this.rejectSnapshot(sender, "the restored state does not hash to the chain's app hash");
    }
    return accept();
  }

  private async rejectSnapshot(sender: string, reason: string): Promise<ChunkOutcome> {
    await this.installer.abandon();
    const senders = new Set(this.senders);
    if (sender !== "") senders.add(sender);
    return { ...refuse(ChunkResult.REJECT_SNAPSHOT, reason), rejectSenders: [...senders].sort() };
  }
}

function accept(): ChunkOutcome {
  return { result: ChunkResult.ACCEPT, refetchChunks: [], rejectSenders: [] };
}

function refuse(result: ChunkResult, reason: string): ChunkOutcome {
  return { result, refetchChunks: [], rejectSenders: [], reason };
}
