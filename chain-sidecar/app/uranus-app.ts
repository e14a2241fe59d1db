// The Uranus state machine behind ABCI 2.0: genesis, mempool checks, proposals, blocks, commits and queries.
import { join } from "node:path";
import { Mutex } from "async-mutex";
import {
  CheckTxType,
  ResponseCheckTx,
  ResponseProcessProposal_ProposalStatus,
  type RequestApplySnapshotChunk,
  type RequestCheckTx,
  type RequestCommit,
  type RequestFinalizeBlock,
  type RequestInfo,
  type RequestInitChain,
  type RequestLoadSnapshotChunk,
  type RequestOfferSnapshot,
  type RequestPrepareProposal,
  type RequestProcessProposal,
  type RequestQuery,
  type ResponseApplySnapshotChunk,
  type ResponseCommit,
  type ResponseFinalizeBlock,
  type ResponseInfo,
  type ResponseInitChain,
  type ResponseListSnapshots,
  type ResponseLoadSnapshotChunk,
  type ResponseOfferSnapshot,
  type ResponsePrepareProposal,
  type ResponseProcessProposal,
  type ResponseQuery,
} from "cosmjs-types/tendermint/abci/types";
import { pino, type Logger } from "pino";
import type { AbciApplication } from "../abci/application.js";
import { ExecContext, type BlockInfo, type ChainEvent } from "../modules/exec-context.js";
import type { ModuleRegistry } from "../modules/module-registry.js";
import { uranusRegistry } from "../modules/uranus-modules.js";
import { answerQuery } from "../query/query-handler.js";
import { CommittedStore } from "../state/committed-store.js";
import { StateOverlay } from "../state/state-overlay.js";
import type { StateInstaller } from "../snapshots/snapshot-restore.js";
import {
  DEFAULT_SNAPSHOT_OPTIONS,
  StateSnapshots,
  type SnapshotOptions,
} from "../snapshots/state-snapshots.js";
import { ResultCode } from "../tx/result-codes.js";
import { keccakReady } from "../tx/keccak.js";
import { recoveryBackend } from "../tx/public-key-recovery.js";
import { SignatureCache } from "../tx/signature-cache.js";
import { TxError } from "../tx/tx-error.js";
import {
  checkTxResponse,
  timestampToMs,
  toAbciEvents,
  toBlockStart,
  toExecTxResult,
  toValidatorUpdates,
} from "./abci-conversions.js";
import { blockLimitUpdate, proposalOverLimits, readBlockLimits, writeBlockLimits } from "./block-limits.js";
import { readChainId, writeChainId } from "./chain-record.js";
import { lastBlockMetadata, readLastBlock } from "./last-block-record.js";
import { PendingTxLimit } from "./pending-tx-limit.js";
import { fitResultsBudget } from "./results-budget.js";
import { restoreInstaller } from "./restore-installer.js";
import { SettlementArchive } from "./settlement-archive.js";
import { TxPipeline, type TxResult } from "./tx-pipeline.js";

export const APP_VERSION = 1n;
export const APP_SOFTWARE_VERSION = "0.1.0";

export interface UranusAppOptions {
  /** The app's data directory (its LMDB state, snapshots, archive); created if missing. */
  readonly dataDir: string;
  readonly logger?: Logger;
  /** Entries in the verified-signature cache. */
  readonly signatureCacheSize?: number;
  /** The modules to run; the Uranus modules by default. */
  readonly registry?: ModuleRegistry;
  /** Transactions waiting for a block past which CheckTx refuses new ones as OVERLOADED (DEFAULT_MAX_PENDING_TXS). */
  readonly maxPendingTxs?: number;
  /** State sync snapshots, kept under <dataDir>/snapshots; every 1000 heights, the last 2, by default. */
  readonly snapshots?: SnapshotOptions;
}

export class UranusApp implements AbciApplication {
  readonly signatures: SignatureCache;
  private readonly pipeline: TxPipeline;
  /** Everything written since the last commit: genesis and/or the finalized block. */
  private uncommitted: StateOverlay;
  /** Mempool view: committed state plus the effects of the transactions CheckTx accepted since. */
  private checkState: StateOverlay;
  private checkBlockInfo: BlockInfo | undefined;
  private pendingTxs = new PendingTxLimit();
  private pendingBlock: { height: number; timeMs: number; appHash: Uint8Array } | undefined;
  /** Settlements that left consensus state, as this node last committed them (outside the app hash). */
  private archive!: SettlementArchive;
  /** Held from the first trie change after a commit until the next commit, so proofs only see committed roots. */
  private readonly trieLock = new Mutex();
  private releaseTrie: (() => void) | undefined;
  private chainId: string | undefined;
  private closed = false;

  private constructor(
    private readonly store: CommittedStore,
    private readonly registry: ModuleRegistry,
    private readonly logger: Logger,
    cacheSize: number,
    /** Snapshots of committed state for CometBFT's state sync (serving and restoring). */
    readonly snapshots: StateSnapshots,
  ) {
    this.signatures = new SignatureCache(cacheSize);
    this.pipeline = new TxPipeline(registry, this.signatures, logger);
    this.uncommitted = new StateOverlay(store);
    this.checkState = new StateOverlay(store);
    this.chainId = readChainId(store);
  }

  static async open(options: UranusAppOptions): Promise<UranusApp> {
    const logger = options.logger ?? pino({ level: "silent" });
    const store = await CommittedStore.open(options.dataDir);
    const snapshots = await StateSnapshots.open(
      join(options.dataDir, "snapshots"),
      options.snapshots ?? DEFAULT_SNAPSHOT_OPTIONS,
      logger.child({ component: "snapshots" }),
    );
    const app = new UranusApp(
      store,
      options.registry ?? uranusRegistry,
      logger,
      options.signatureCacheSize ?? 50_000,
      snapshots,
    );
    if (options.maxPendingTxs !== undefined) app.pendingTxs = new PendingTxLimit(options.maxPendingTxs);
    app.archive = SettlementArchive.open(options.dataDir);
    logger.info(
      {
        height: store.height,
        keys: store.keyCount,
        dataDir: options.dataDir,
        signatureRecovery: recoveryBackend,
      },
      "uranus app state loaded",
    );
    return app;
  }

  /** Committed state, read-only (for diagnostics and tests). */
  get committed(): CommittedStore {
    return this.store;
  }

  info(_request: RequestInfo): Promise<ResponseInfo> {
    return Promise.resolve({
      data: "uranus",
      version: APP_SOFTWARE_VERSION,
      appVersion: APP_VERSION,
      lastBlockHeight: BigInt(this.store.height),
      lastBlockAppHash: this.store.height > 0 ? this.store.appHash : new Uint8Array(),
    });
  }

  private async holdTrie(): Promise<void> {
    if (!this.releaseTrie) this.releaseTrie = await this.trieLock.acquire();
  }

  async initChain(request: RequestInitChain): Promise<ResponseInitChain> {
    if (this.store.height > 0)
      throw new Error(`InitChain: the app already has blocks up to height ${this.store.height}`);
    if (this.chainId !== undefined) {
      throw new Error("InitChain: genesis was already applied in this process; restart to apply another");
    }
    if (request.chainId === "") throw new Error("InitChain: chain_id is empty");
    let appState: unknown;
    try {
      const text = new TextDecoder().decode(request.appStateBytes).trim();
      appState = text === "" ? {} : JSON.parse(text);
    } catch (error) {
      throw new Error(`genesis app_state is not JSON: ${(error as Error).message}`);
    }
    if (typeof appState !== "object" || appState === null || Array.isArray(appState)) {
      throw new Error("genesis app_state must be a JSON object");
    }
    const base = new StateOverlay(this.store);
    const layer = base.branch();
    writeChainId(layer, request.chainId);
    const block: BlockInfo = {
      height: Number(request.initialHeight) - 1,
      chainId: request.chainId,
      timeMs: timestampToMs(request.time),
    };
    let updates;
    try {
      updates = this.registry.initGenesis(new ExecContext(layer, block), appState as Record<string, unknown>);
      writeBlockLimits(layer, request.consensusParams, appState);
    } catch (error) {
      if (error instanceof TxError) throw new Error(`genesis is invalid: ${error.message}`);
      throw error;
    }
    const changes = layer.sortedChanges();
    layer.mergeInto(base);
    await this.holdTrie();
    const appHash = await this.store.trie.apply(changes);
    this.uncommitted = base;
    this.checkState = new StateOverlay(this.uncommitted);
    this.chainId = request.chainId;
    this.logger.info(
      { chainId: request.chainId, validators: updates.length, keys: changes.length },
      "genesis applied",
    );
    return { validators: toValidatorUpdates(updates), appHash };
  }

  /** The block CheckTx runs against, read from the store once per committed height (not once per transaction). */
  private checkBlock(): BlockInfo {
    const height = this.store.height + 1;
    if (this.checkBlockInfo?.height !== height || this.checkBlockInfo.chainId !== (this.chainId ?? ""))
      this.checkBlockInfo = { height, chainId: this.chainId ?? "", timeMs: readLastBlock(this.store).timeMs };
    return this.checkBlockInfo;
  }

  checkTx(request: RequestCheckTx): Promise<ResponseCheckTx> {
    // Refused before decoding: shedding load must cost less than checking it.
    const result =
      this.pendingTxs.refusal(request.type === CheckTxType.RECHECK) ??
      (this.chainId
        ? this.pipeline.run(this.checkState, this.checkBlock(), request.tx, "check")
        : { code: ResultCode.WRONG_CHAIN_ID, log: "WRONG_CHAIN_ID: the chain has no genesis yet" });
    if (result.code === ResultCode.OK) this.pendingTxs.admitted();
    return Promise.resolve(checkTxResponse(result.code, result.log));
  }

  prepareProposal(request: RequestPrepareProposal): Promise<ResponsePrepareProposal> {
    const state = new StateOverlay(this.uncommitted);
    const block: BlockInfo = {
      height: Number(request.height),
      chainId: this.chainId ?? "",
      timeMs: timestampToMs(request.time),
    };
    const limit = request.maxTxBytes;
    const { maxTxs } = readBlockLimits(state);
    const chosen: Uint8Array[] = [];
    let total = 0n;
    for (const tx of request.txs) {
      if (chosen.length === maxTxs) break;
      const size = BigInt(tx.length);
      if (total + size > limit) continue;
      if (this.pipeline.run(state, block, tx, "check").code !== ResultCode.OK) continue;
      chosen.push(tx);
      total += size;
    }
    return Promise.resolve({ txs: chosen });
  }

  processProposal(request: RequestProcessProposal): Promise<ResponseProcessProposal> {
    const chainId = this.chainId ?? "";
    const overLimits = proposalOverLimits(readBlockLimits(this.uncommitted), request.txs);
    if (overLimits !== undefined) {
      this.logger.warn({ height: Number(request.height), reason: overLimits }, "rejecting proposal");
      return Promise.resolve({ status: ResponseProcessProposal_ProposalStatus.REJECT });
    }
    for (const tx of request.txs) {
      try {
        this.pipeline.verifyAgainst(this.uncommitted, tx, chainId);
      } catch (error) {
        if (!(error instanceof TxError)) throw error;
        this.logger.warn({ height: Number(request.height), reason: error.log }, "rejecting proposal");
        return Promise.resolve({ status: ResponseProcessProposal_ProposalStatus.REJECT });
      }
    }
    return Promise.resolve({ status: ResponseProcessProposal_ProposalStatus.ACCEPT });
  }

  async finalizeBlock(request: RequestFinalizeBlock): Promise<ResponseFinalizeBlock> {
    if (this.pendingBlock) {
      throw new Error(
        `FinalizeBlock ${request.height}: block ${this.pendingBlock.height} is finalized but not committed`,
      );
    }
    if (!this.chainId)
      throw new Error(`FinalizeBlock ${request.height}: the chain has no genesis (InitChain was not called)`);
    await this.holdTrie();
    const height = Number(request.height);
    const block: BlockInfo = { height, chainId: this.chainId, timeMs: timestampToMs(request.time) };
    const layer = this.uncommitted.branch();
    const begin = new ExecContext(layer, block);
    // Block hooks run only in blocks with txs or evidence, so an idle chain's app hash stays and CometBFT can stop.
    const moves = request.txs.length > 0 || request.misbehavior.length > 0;
    if (moves) this.registry.beginBlock(begin, toBlockStart(request));
    const txResults: TxResult[] = request.txs.map((tx) => this.pipeline.run(layer, block, tx, "deliver"));
    const end = new ExecContext(layer, block);
    const updates = moves ? this.registry.endBlock(end) : [];
    const consensusParamUpdates = blockLimitUpdate(this.uncommitted, layer);
    const changes = layer.sortedChanges();
    layer.mergeInto(this.uncommitted);
    const appHash = await this.store.trie.apply(changes);
    this.pendingBlock = { height, timeMs: block.timeMs, appHash };
    const blockEvents: ChainEvent[] = [...begin.events, ...end.events];
    return fitResultsBudget({
      events: toAbciEvents(blockEvents),
      txResults: txResults.map(toExecTxResult),
      validatorUpdates: toValidatorUpdates(updates),
      ...(consensusParamUpdates === undefined ? {} : { consensusParamUpdates }),
      appHash,
    });
  }

  async commit(_request: RequestCommit): Promise<ResponseCommit> {
    const pending = this.pendingBlock;
    if (!pending) throw new Error("Commit: no finalized block to commit");
    await this.snapshots.beforeCommit();
    const changes = this.uncommitted.sortedChanges();
    this.archive.keepDeleted(this.store, changes, this.store.height, this.store.appHash, (key) =>
      this.store.trie.proveCommitted(key),
    );
    await this.store.commit(changes, pending.height, pending.appHash, lastBlockMetadata(pending.timeMs));
    this.pendingBlock = undefined;
    this.uncommitted = new StateOverlay(this.store);
    this.checkState = new StateOverlay(this.store);
    this.pendingTxs.committed();
    const release = this.releaseTrie;
    this.releaseTrie = undefined;
    release?.();
    // The entries at this height are read before the next commit, and the snapshot written in the background.
    this.snapshots.afterCommit(pending.height, pending.appHash, pending.timeMs, () =>
      this.store.committedEntries(),
    );
    return { retainHeight: 0n };
  }

  listSnapshots(): Promise<ResponseListSnapshots> {
    return Promise.resolve(this.snapshots.listSnapshots());
  }

  loadSnapshotChunk(request: RequestLoadSnapshotChunk): Promise<ResponseLoadSnapshotChunk> {
    return this.snapshots.loadSnapshotChunk(request);
  }

  offerSnapshot(request: RequestOfferSnapshot): Promise<ResponseOfferSnapshot> {
    return this.snapshots.offerSnapshot(request, this.store.height, this.restoreInstaller());
  }

  applySnapshotChunk(request: RequestApplySnapshotChunk): Promise<ResponseApplySnapshotChunk> {
    return this.snapshots.applySnapshotChunk(request);
  }

  private restoreInstaller(): StateInstaller {
    return restoreInstaller(
      this.store,
      this.trieLock,
      () => this.chainId !== undefined || this.pendingBlock !== undefined,
      () => {
        this.uncommitted = new StateOverlay(this.store);
        this.checkState = new StateOverlay(this.store);
        this.chainId = readChainId(this.store);
      },
    );
  }

  query(request: RequestQuery): Promise<ResponseQuery> {
    return answerQuery(
      this.registry,
      {
        state: this.store,
        height: this.store.height,
        timeMs: readLastBlock(this.store).timeMs,
        // Read in one turn from committed state only, so a block being finalized meanwhile changes none of it.
        prove: (stateKey) =>
          Promise.resolve({
            value: this.store.get(stateKey),
            nodes: this.store.trie.proveCommitted(stateKey),
            height: this.store.height,
          }),
        archived: (stateKey) => this.archive.get(stateKey),
        archivedProof: (stateKey) => this.archive.proof(stateKey),
        archiveView: (path) => this.archive.answer(path),
      },
      request,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.snapshots.settled();
    await this.store.close();
    await this.archive.close();
  }
}

/** Opens the app over its data directory; a restart resumes at the last committed block. Hashing is ready first. */
export async function openUranusApp(options: UranusAppOptions): Promise<UranusApp> {
  await keccakReady;
  return UranusApp.open(options);
}
