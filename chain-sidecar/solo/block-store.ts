// The solo producer's recent blocks and their results, in memory and bounded, with a tx-hash index.
import type { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import type { BlockID, Commit, Header } from "cosmjs-types/tendermint/types/types";
import type { ConsensusValidators } from "./consensus-validators.js";

export interface StoredBlock {
  blockId: BlockID;
  header: Header;
  txs: Uint8Array[];
  /** Upper-case hex sha256 of each tx, in block order. */
  txHashes: string[];
  lastCommit: Commit;
  sizeBytes: number;
  results: ResponseFinalizeBlock;
  /** The set that signed this block. */
  validators: ConsensusValidators;
}

export interface TxLocation {
  height: bigint;
  index: number;
}

export class BlockStore {
  private readonly blocks = new Map<bigint, StoredBlock>();
  private readonly txIndex = new Map<string, TxLocation>();
  private baseHeight = 0n;
  private latestHeight = 0n;

  constructor(private readonly maxBlocks = 10_000) {}

  /** Lowest height still held; 0 when empty. */
  get base(): bigint {
    return this.baseHeight;
  }

  get height(): bigint {
    return this.latestHeight;
  }

  put(block: StoredBlock): void {
    const height = block.header.height;
    if (this.latestHeight !== 0n && height !== this.latestHeight + 1n) {
      throw new Error(`block store expects height ${this.latestHeight + 1n}, got ${height}`);
    }
    this.blocks.set(height, block);
    block.txHashes.forEach((hash, index) => this.txIndex.set(hash, { height, index }));
    if (this.baseHeight === 0n) this.baseHeight = height;
    this.latestHeight = height;
    while (this.blocks.size > this.maxBlocks) this.evictBase();
  }

  get(height: bigint): StoredBlock | undefined {
    return this.blocks.get(height);
  }

  latest(): StoredBlock | undefined {
    return this.blocks.get(this.latestHeight);
  }

  findTx(hash: string): TxLocation | undefined {
    return this.txIndex.get(hash.toUpperCase());
  }

  private evictBase(): void {
    const block = this.blocks.get(this.baseHeight);
    if (block !== undefined) {
      for (const hash of block.txHashes) {
        if (this.txIndex.get(hash)?.height === this.baseHeight) this.txIndex.delete(hash);
      }
      this.blocks.delete(this.baseHeight);
    }
    this.baseHeight++;
  }
}
