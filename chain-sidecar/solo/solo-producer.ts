// One-validator block producer: drives the same AbciApplication as CometBFT would, without consensus.
import { join } from "node:path";
import { Mutex } from "async-mutex";
import type { Logger } from "pino";
import {
  CheckTxType,
  ResponseProcessProposal_ProposalStatus,
  type ResponseCheckTx,
  type ResponseInfo,
  type RequestQuery,
  type ResponseQuery,
} from "cosmjs-types/tendermint/abci/types";
import type { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { Block } from "cosmjs-types/tendermint/types/block";
import type { BlockID, Header } from "cosmjs-types/tendermint/types/types";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import type { AbciApplication } from "../abci/application.js";
import type { GenesisDoc } from "../genesis/genesis-doc.js";
import { consensusParamsFromJson } from "../genesis/init-chain-request.js";
import type { ValidatorKey } from "../node/validator-key.js";
import {
  commitHash,
  consensusHash,
  dataHash,
  headerHash,
  lastCommit,
  lastCommitInfo,
  partSetHeader,
  resultsHash,
} from "./block-hashing.js";
import { sha256 } from "../state/sha256.js";
import { BlockStore, type StoredBlock } from "./block-store.js";
import { loadPosition, savePosition, type ChainPosition } from "./chain-position.js";
import { cometbftVersion } from "./cometbft-version.js";
import type { ConsensusValidators } from "./consensus-validators.js";
import { DEFAULT_MEMPOOL_LIMITS, Mempool, txHash, type MempoolLimits } from "./mempool.js";
import { handshake } from "./solo-handshake.js";

const BLOCK_PROTOCOL = 11n;
const P2P_PROTOCOL = 8n;
const ABCI_VERSION = "2.0.0";
/** Room left in a block for its header and commit; CometBFT computes this exactly, a margin is enough here. */
const BLOCK_OVERHEAD_BYTES = 16 * 1024;

export interface SoloProducerOptions {
  app: AbciApplication;
  genesis: GenesisDoc;
  validatorKey: ValidatorKey;
  logger: Logger;
  /** The app failed or broke the protocol: the producer has stopped and the process should end. */
  onFatal: (error: Error) => void;
  /** Time between blocks. */
  blockIntervalMs?: number;
  /** Start a block as soon as the mempool has txs instead of waiting for the interval (fast tests). */
  produceOnTx?: boolean;
  /**
   * Produce blocks without txs every interval, as CometBFT's create_empty_blocks. Off by default: a block comes when
   * txs wait in the mempool or the last block changed the app hash, so an idle chain makes none.
   */
  createEmptyBlocks?: boolean;
  mempool?: Partial<MempoolLimits>;
  maxStoredBlocks?: number;
  /** Where the validator sets and last block id survive a restart; in memory only when absent. */
  stateDir?: string;
  appLock?: Mutex;
}

export type BlockListener = (block: StoredBlock) => void;

export class SoloProducer {
  readonly store: BlockStore;
  readonly mempool: Mempool;
  readonly appLock: Mutex;
  /** CheckTx waits only for a commit and the recheck after it, as CometBFT's mempool does, not for a whole block. */
  private readonly mempoolLock = new Mutex();
  private readonly listeners = new Set<BlockListener>();
  private position!: ChainPosition;
  private consensusParams: ConsensusParams;
  private appVersion = 0n;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  private lastBlockStartedAt = 0;
  private fatalError: Error | undefined;

  constructor(private readonly options: SoloProducerOptions) {
    this.store = new BlockStore(options.maxStoredBlocks);
    this.mempool = new Mempool({ ...DEFAULT_MEMPOOL_LIMITS, ...options.mempool });
    this.appLock = options.appLock ?? new Mutex();
    this.consensusParams = consensusParamsFromJson(options.genesis.consensus_params);
  }

  get genesis(): GenesisDoc {
    return this.options.genesis;
  }

  get validatorKey(): ValidatorKey {
    return this.options.validatorKey;
  }

  get height(): bigint {
    return this.position.height;
  }

  /** Validators of the next block to be produced. */
  get currentValidators(): ConsensusValidators {
    return this.position.validators;
  }

  get fatal(): Error | undefined {
    return this.fatalError;
  }

  onBlock(listener: BlockListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Handshakes with the app (InitChain on a fresh app), then produces blocks until stop(). */
  async start(): Promise<void> {
    const info = await this.info();
    this.appVersion = info.appVersion;
    const statePath = this.statePath();
    const { position, consensusParams } = await handshake(
      this.options.app,
      this.appLock,
      info,
      this.options.genesis,
      statePath === undefined ? undefined : loadPosition(statePath),
      this.options.logger,
    );
    this.position = position;
    if (consensusParams !== undefined) this.mergeConsensusParams(consensusParams);
    this.running = true;
    this.loopDone = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loopDone;
  }

  async info(): Promise<ResponseInfo> {
    return this.appLock.runExclusive(() =>
      this.options.app.info({
        version: cometbftVersion(),
        blockVersion: BLOCK_PROTOCOL,
        p2pVersion: P2P_PROTOCOL,
        abciVersion: ABCI_VERSION,
      }),
    );
  }

  /** Answers from committed state, as CometBFT's query connection does: it never waits for a block being made. */
  async query(request: RequestQuery): Promise<ResponseQuery> {
    return this.options.app.query(request);
  }

  /** Runs CheckTx; a tx that passes enters the mempool. Throws MempoolError for refusals before CheckTx. */
  async submitTx(tx: Uint8Array): Promise<{ hash: string; response: ResponseCheckTx }> {
    const hash = this.admitTx(tx);
    return { hash, response: await this.checkAdmittedTx(tx, hash) };
  }

  /** The checks made before CheckTx (size, duplicate, room); returns the tx hash. Throws MempoolError. */
  admitTx(tx: Uint8Array): string {
    if (this.fatalError !== undefined)
      throw new Error(`solo producer has stopped: ${this.fatalError.message}`);
    const hash = txHash(tx);
    this.mempool.admit(tx, hash);
    return hash;
  }

  async checkAdmittedTx(tx: Uint8Array, hash: string): Promise<ResponseCheckTx> {
    let response: ResponseCheckTx;
    try {
      response = await this.mempoolLock.runExclusive(() =>
        this.options.app.checkTx({ tx, type: CheckTxType.NEW }),
      );
    } catch (error) {
      this.mempool.forget(hash);
      this.fail(new Error(`application failed in checkTx: ${(error as Error).message}`, { cause: error }));
      throw error;
    }
    if (response.code === 0) {
      this.mempool.add(tx, hash);
      this.wakeUp?.();
    } else {
      this.mempool.forget(hash);
    }
    return response;
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.waitForSlot();
      if (this.stopRequested()) break;
      this.lastBlockStartedAt = performance.now();
      let block: StoredBlock;
      try {
        block = await this.appLock.runExclusive(() => this.produceBlock());
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      for (const listener of this.listeners) {
        try {
          listener(block);
        } catch (error) {
          this.options.logger.warn({ err: error }, "block listener failed");
        }
      }
    }
  }

  // A method, not a field read, because stop() changes `running` while the loop awaits.
  private stopRequested(): boolean {
    return !this.running;
  }

  private async waitForSlot(): Promise<void> {
    const interval = this.options.blockIntervalMs ?? 1000;
    const due = this.lastBlockStartedAt + interval;
    // The first block comes at once, as CometBFT makes it even when empty blocks are off.
    if (this.store.height === 0n) return;
    for (;;) {
      if (!this.running) return;
      const hasTxs = this.mempool.size > 0;
      if (this.options.produceOnTx === true && hasTxs) return;
      const now = performance.now();
      const emptyAllowed = (this.options.createEmptyBlocks ?? false) || this.needsProofBlock();
      if (now >= due && (emptyAllowed || hasTxs)) return;
      await new Promise<void>((resolve) => {
        const timer = now < due ? setTimeout(resolve, due - now) : undefined;
        this.wakeUp = () => {
          if (timer !== undefined) clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  /**
   * CometBFT's proof block: after a block that changed the app hash, one more block carries the new hash in its
   * header even without txs. Without the last block at hand (after a restart) one is made to be sure.
   */
  private needsProofBlock(): boolean {
    const last = this.store.get(this.position.height);
    return last === undefined || Buffer.compare(last.header.appHash, this.position.appHash) !== 0;
  }

  private maxTxBytes(): number {
    const maxBytes = Number(this.consensusParams.block?.maxBytes ?? 22020096n);
    return (maxBytes <= 0 ? 100 * 1024 * 1024 : maxBytes) - BLOCK_OVERHEAD_BYTES;
  }

  private blockTime(): Timestamp {
    const millis = Math.max(Date.now(), this.position.timeMillis + 1);
    return { seconds: BigInt(Math.floor(millis / 1000)), nanos: (millis % 1000) * 1_000_000 };
  }

  private async produceBlock(): Promise<StoredBlock> {
    const app = this.options.app;
    const p = this.position;
    const height = p.height + 1n;
    const time = this.blockTime();
    const proposerAddress = this.options.validatorKey.address;
    const nextValidatorsHash = p.nextValidators.hash();
    const maxTxBytes = this.maxTxBytes();
    const commitInfo = lastCommitInfo(p, this.options.validatorKey.addressHex);
    const prepared = await app.prepareProposal({
      maxTxBytes: BigInt(maxTxBytes),
      // Each tx asks for 1 gas, so the block's max_gas bounds its tx count, as CometBFT's reaping does.
      txs: this.mempool.reap(maxTxBytes, Number(this.consensusParams.block?.maxGas ?? -1n)),
      localLastCommit: {
        round: 0,
        votes: commitInfo.votes.map((v) => ({
          ...v,
          voteExtension: new Uint8Array(),
          extensionSignature: new Uint8Array(),
        })),
      },
      misbehavior: [],
      height,
      time,
      nextValidatorsHash,
      proposerAddress,
    });
    const txs = prepared.txs;
    const txBytes = txs.reduce((sum, tx) => sum + tx.length, 0);
    if (txBytes > maxTxBytes) {
      throw new Error(
        `application's PrepareProposal returned ${txBytes} bytes of txs, more than ${maxTxBytes}`,
      );
    }
    const txHashes = txs.map(txHash);
    const commitLast = lastCommit(p, this.options.validatorKey, this.options.genesis.chain_id);
    const header: Header = {
      version: { block: BLOCK_PROTOCOL, app: this.appVersion },
      chainId: this.options.genesis.chain_id,
      height,
      time,
      lastBlockId: p.blockId,
      lastCommitHash: commitHash(commitLast),
      dataHash: dataHash(txs),
      validatorsHash: p.validators.hash(),
      nextValidatorsHash,
      consensusHash: consensusHash(this.consensusParams),
      appHash: p.appHash,
      lastResultsHash: p.resultsHash,
      evidenceHash: sha256(new Uint8Array()),
      proposerAddress,
    };
    const encodedBlock = Block.encode({
      header,
      data: { txs },
      evidence: { evidence: [] },
      lastCommit: commitLast,
    }).finish();
    const blockId: BlockID = { hash: headerHash(header), partSetHeader: partSetHeader(encodedBlock) };
    const proposal = {
      txs,
      misbehavior: [],
      hash: blockId.hash,
      height,
      time,
      nextValidatorsHash,
      proposerAddress,
    };
    const processed = await app.processProposal({ ...proposal, proposedLastCommit: commitInfo });
    if (processed.status !== ResponseProcessProposal_ProposalStatus.ACCEPT) {
      throw new Error(`application rejected the solo producer's own proposal at height ${height}`);
    }
    const results = await app.finalizeBlock({ ...proposal, decidedLastCommit: commitInfo });
    if (results.txResults.length !== txs.length) {
      throw new Error(
        `application's FinalizeBlock at height ${height} returned ${results.txResults.length} results for ${txs.length} txs`,
      );
    }
    return this.mempoolLock.runExclusive(async () => {
      await app.commit({});
      const stored: StoredBlock = {
        blockId,
        header,
        txs,
        txHashes,
        lastCommit: commitLast,
        sizeBytes: encodedBlock.length,
        results,
        validators: p.validators,
      };
      this.store.put(stored);
      if (results.consensusParamUpdates !== undefined)
        this.mergeConsensusParams(results.consensusParamUpdates);
      if (results.consensusParamUpdates?.version !== undefined)
        this.appVersion = results.consensusParamUpdates.version.app;
      this.position = {
        height,
        blockId,
        appHash: results.appHash,
        resultsHash: resultsHash(results),
        timeMillis: Number(time.seconds) * 1000 + Math.floor(time.nanos / 1_000_000),
        lastValidators: p.validators,
        validators: p.nextValidators,
        nextValidators: p.nextValidators.apply(results.validatorUpdates),
      };
      const statePath = this.statePath();
      if (statePath !== undefined) savePosition(statePath, this.position);
      for (const hash of txHashes) this.mempool.remove(hash);
      await this.mempool.recheck(async (tx) => (await app.checkTx({ tx, type: CheckTxType.RECHECK })).code);
      return stored;
    });
  }

  private mergeConsensusParams(update: ConsensusParams): void {
    this.consensusParams = {
      block: update.block ?? this.consensusParams.block,
      evidence: update.evidence ?? this.consensusParams.evidence,
      validator: update.validator ?? this.consensusParams.validator,
      version: update.version ?? this.consensusParams.version,
      abci: update.abci ?? this.consensusParams.abci,
    };
  }

  private statePath(): string | undefined {
    return this.options.stateDir === undefined ? undefined : join(this.options.stateDir, "solo-state.json");
  }

  private fail(error: Error): void {
    if (this.fatalError !== undefined) return;
    this.fatalError = error;
    this.running = false;
    this.options.logger.fatal({ err: error }, "solo producer stops: %s", error.message);
    this.options.onFatal(error);
  }
}
