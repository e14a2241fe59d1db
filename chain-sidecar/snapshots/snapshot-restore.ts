// Restoring one offered snapshot: each chunk is checked against the hash the metadata names before it is taken,
// so a peer that sends a bad chunk is banned and the chunk fetched again from another; the entries of all chunks
// go to the state only once the last one arrives, and only if they hash to the app hash CometBFT's light client trusts.
import { ResponseApplySnapshotChunk_Result as ChunkResult } from "cosmjs-types/tendermint/abci/types";
import type { StateEntry } from "../state/state-access.js";
import { checkDescriptor, decodeChunk, sha256, type SnapshotDescriptor } from "./snapshot-format.js";

export interface ChunkOutcome {
  result: ChunkResult;
  refetchChunks: number[];
  rejectSenders: string[];
  /** Why a chunk was not accepted, for the log. */
  reason?: string;
}

/** Installs the restored state; resolves false (leaving the state as before) when it does not hash to `appHash`. */
export type StateInstaller = (entries: StateEntry[], height: number, appHash: Uint8Array) => Promise<boolean>;

export class SnapshotRestore {
  private readonly chunkHashes: Uint8Array[];
  private readonly expectedEntries: number;
  private readonly entries: StateEntry[] = [];
  private readonly senders = new Set<string>();
  private nextIndex = 0;
  private lastKey: string | undefined;

  /** Throws, saying why, when the descriptor is inconsistent or made for another state than `trustedAppHash`. */
  constructor(
    readonly snapshot: SnapshotDescriptor,
    private readonly trustedAppHash: Uint8Array,
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
  }

  get height(): number {
    return Number(this.snapshot.height);
  }

  get done(): boolean {
    return this.nextIndex === this.chunkHashes.length;
  }

  /** Takes chunk `index` from `sender`; on the last chunk, installs the state through `install`. */
  async apply(
    index: number,
    chunk: Uint8Array,
    sender: string,
    install: StateInstaller,
  ): Promise<ChunkOutcome> {
    if (index !== this.nextIndex) {
      // CometBFT applies chunks in order; anything else means starting this snapshot over.
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
    for (const entry of decoded) this.entries.push(entry);
    this.lastKey = decoded.at(-1)?.[0] ?? this.lastKey;
    if (sender !== "") this.senders.add(sender);
    this.nextIndex++;
    if (!this.done) return accept();
    if (this.entries.length !== this.expectedEntries) {
      return this.rejectSnapshot(
        sender,
        `chunks hold ${this.entries.length} entries, metadata says ${this.expectedEntries}`,
      );
    }
    if (!(await install(this.entries, this.height, this.trustedAppHash))) {
      return this.rejectSnapshot(sender, "the restored state does not hash to the chain's app hash");
    }
    return accept();
  }

  private rejectSnapshot(sender: string, reason: string): ChunkOutcome {
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
