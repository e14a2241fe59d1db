// The app's side of CometBFT state sync: takes snapshots of committed state every `interval` heights, serves them
// to peers (ListSnapshots, LoadSnapshotChunk), and restores one a new node is offered (OfferSnapshot, ApplySnapshotChunk).
import {
  ResponseApplySnapshotChunk_Result as ChunkResult,
  ResponseOfferSnapshot_Result as OfferResult,
  type RequestApplySnapshotChunk,
  type RequestLoadSnapshotChunk,
  type RequestOfferSnapshot,
  type ResponseApplySnapshotChunk,
  type ResponseListSnapshots,
  type ResponseLoadSnapshotChunk,
  type ResponseOfferSnapshot,
} from "cosmjs-types/tendermint/abci/types";
import type { Logger } from "pino";
import type { EntryStream } from "../state/state-access.js";
import { DEFAULT_MAX_CHUNK_BYTES, SNAPSHOT_FORMAT, decodeMetadata } from "./snapshot-format.js";
import { SnapshotRestore, type StateInstaller } from "./snapshot-restore.js";
import { SnapshotStore } from "./snapshot-store.js";

export interface SnapshotOptions {
  /** A snapshot after every commit whose height is a multiple of this; 0 takes none (restoring still works). */
  interval: number;
  /** How many of the newest snapshots stay on disk. */
  keep: number;
  maxChunkBytes?: number;
}

export const DEFAULT_SNAPSHOT_OPTIONS: SnapshotOptions = { interval: 1000, keep: 2 };

interface DueSnapshot {
  height: number;
  appHash: Uint8Array;
  blockTimeMs: number;
  entries: EntryStream;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

export class StateSnapshots {
  private reading: Promise<void> | undefined;
  private writing: Promise<void> | undefined;
  private waiting: DueSnapshot | undefined;
  private restore: SnapshotRestore | undefined;

  private constructor(
    private readonly store: SnapshotStore,
    private readonly options: SnapshotOptions,
    private readonly logger: Logger,
  ) {}

  static async open(dir: string, options: SnapshotOptions, logger: Logger): Promise<StateSnapshots> {
    if (!Number.isInteger(options.interval) || options.interval < 0) {
      throw new Error(`snapshot interval must be a whole number of blocks, got ${options.interval}`);
    }
    return new StateSnapshots(await SnapshotStore.open(dir, options.keep), options, logger);
  }

  /**
   * Called after each commit (of the block at `blockTimeMs`). When `height` is due, `committedEntries` (all entries
   * at `height`, sorted) is opened once the Commit response is on its way, while CometBFT waits out timeout_commit,
   * and the caller awaits `beforeCommit` before changing committed state again, so the read sees exactly `height`.
   * The snapshot is then written in the background. A height that comes while one is being written waits for it; a
   * still newer one replaces it in the wait, so at most one snapshot is being written and one waiting.
   */
  afterCommit(
    height: number,
    appHash: Uint8Array,
    blockTimeMs: number,
    committedEntries: () => EntryStream,
  ): void {
    if (this.options.interval === 0 || height % this.options.interval !== 0) return;
    this.reading = new Promise<void>((resolve) =>
      setImmediate(() => {
        try {
          if (this.waiting !== undefined) {
            this.logger.warn({ height: this.waiting.height }, "snapshot skipped for a newer one");
            this.waiting.entries.close();
          }
          this.waiting = { height, appHash, blockTimeMs, entries: committedEntries() };
          this.writing ??= this.writeWaiting();
        } catch (error) {
          this.logger.error({ height, err: error }, "snapshot failed: the committed state could not be read");
        } finally {
          // Immediates run in order, so when the newest read is done every earlier one is too.
          resolve();
        }
      }),
    );
  }

  /** Resolves once a snapshot's committed state has been read, so the next commit may change it. */
  async beforeCommit(): Promise<void> {
    await this.reading;
  }

  private async writeWaiting(): Promise<void> {
    for (let due = this.waiting; due !== undefined; due = this.waiting) {
      this.waiting = undefined;
      await this.write(due);
    }
    this.writing = undefined;
  }

  private async write(due: DueSnapshot): Promise<void> {
    const started = performance.now();
    try {
      const snapshot = await this.store.write(
        due.height,
        due.appHash,
        due.entries,
        this.options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES,
        due.blockTimeMs,
      );
      this.logger.info(
        {
          height: due.height,
          chunks: snapshot.chunks,
          entries: decodeMetadata(snapshot.metadata).entries,
          hash: hex(snapshot.hash),
          ms: Math.round(performance.now() - started),
        },
        "snapshot taken",
      );
    } catch (error) {
      this.logger.error({ height: due.height, err: error }, "snapshot failed");
    } finally {
      due.entries.close();
    }
  }

  /** Resolves once no snapshot is being written. */
  async settled(): Promise<void> {
    await this.reading;
    await this.writing;
  }

  listSnapshots(): ResponseListSnapshots {
    return { snapshots: this.store.list() };
  }

  async loadSnapshotChunk(request: RequestLoadSnapshotChunk): Promise<ResponseLoadSnapshotChunk> {
    // An empty chunk tells CometBFT we do not have it, and it asks another peer.
    return {
      chunk: (await this.store.loadChunk(request.height, request.format, request.chunk)) ?? new Uint8Array(),
    };
  }

  /** Accepts a snapshot to restore through `installer` into an app that has no state yet (`committedHeight` 0). */
  async offerSnapshot(
    request: RequestOfferSnapshot,
    committedHeight: number,
    installer: StateInstaller,
  ): Promise<ResponseOfferSnapshot> {
    const snapshot = request.snapshot;
    if (snapshot === undefined) return { result: OfferResult.REJECT };
    const described = { height: Number(snapshot.height), format: snapshot.format, chunks: snapshot.chunks };
    if (committedHeight > 0) {
      // CometBFT has no state, yet the app has: a restore finished here but not in CometBFT (a crash between).
      this.logger.error(
        { ...described, committedHeight },
        "snapshot offered to an app that already has state: remove the app's data directory to sync again",
      );
      return { result: OfferResult.ABORT };
    }
    if (snapshot.format !== SNAPSHOT_FORMAT) return { result: OfferResult.REJECT_FORMAT };
    try {
      this.restore = new SnapshotRestore(snapshot, request.appHash, installer);
    } catch (error) {
      this.restore = undefined;
      this.logger.warn({ ...described, reason: (error as Error).message }, "snapshot refused");
      return { result: OfferResult.REJECT };
    }
    // Whatever an earlier offer restored part of goes first.
    await installer.abandon();
    this.logger.info({ ...described, appHash: hex(request.appHash) }, "restoring snapshot");
    return { result: OfferResult.ACCEPT };
  }

  async applySnapshotChunk(request: RequestApplySnapshotChunk): Promise<ResponseApplySnapshotChunk> {
    const restore = this.restore;
    if (restore === undefined) {
      this.logger.error({ index: request.index }, "snapshot chunk without an accepted snapshot");
      return { result: ChunkResult.ABORT, refetchChunks: [], rejectSenders: [] };
    }
    const outcome = await restore.apply(request.index, request.chunk, request.sender);
    const { reason, ...response } = outcome;
    if (reason !== undefined) {
      this.logger.warn(
        {
          height: restore.height,
          index: request.index,
          sender: request.sender,
          result: ChunkResult[outcome.result],
        },
        `snapshot chunk refused: ${reason}`,
      );
    }
    if (outcome.result === ChunkResult.ACCEPT && restore.done) {
      this.restore = undefined;
      this.logger.info(
        {
          height: restore.height,
          chunks: restore.snapshot.chunks,
          appHash: hex(restore.snapshot.metadata.subarray(0, 32)),
        },
        "snapshot restored",
      );
    }
    if (outcome.result === ChunkResult.REJECT_SNAPSHOT || outcome.result === ChunkResult.RETRY_SNAPSHOT) {
      this.restore = undefined;
    }
    return response;
  }
}
