import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { pino } from "pino";
import {
  CheckTxType,
  ResponseApplySnapshotChunk_Result as ChunkResult,
  ResponseOfferSnapshot_Result as OfferResult,
  type RequestFinalizeBlock,
  type Snapshot,
} from "cosmjs-types/tendermint/abci/types";
import { openUranusApp, type UranusApp } from "../../../../chain-sidecar/app/uranus-app.js";
import { readChainId } from "../../../../chain-sidecar/app/chain-record.js";
import { readLastBlock } from "../../../../chain-sidecar/app/last-block-record.js";
import { TransferMsg } from "../../../../chain-sidecar/modules/bank/bank-messages.js";
import { StateSnapshots } from "../../../../chain-sidecar/snapshots/state-snapshots.js";
import type { EntryStream, StateEntry } from "../../../../chain-sidecar/state/state-access.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { scratchDirectory } from "../../../support/scratch-directory.js";
import { AppHarness, CHAIN_ID, testConsensusKey, testWallet } from "../app-harness.js";
import { genesisAccount, genesisValidator } from "../genesis-entries.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const infoRequest = { version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" };

/** A block with `txs` at `height`, as CometBFT would send it to every node (no votes, fixed time). */
function blockRequest(height: number, txs: Uint8Array[]): RequestFinalizeBlock {
  const timeMs = 1_700_000_000_000 + height * 1000;
  return {
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32),
    height: BigInt(height),
    time: { seconds: BigInt(Math.floor(timeMs / 1000)), nanos: 0 },
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  };
}

describe("chain-sidecar snapshots: a new app restores another's snapshot", function () {
  this.timeout(60_000);
  const alice = testWallet("snap-alice");
  const bob = testWallet("snap-bob");
  let source: AppHarness;
  let restoredDir: string;
  let restored: UranusApp;

  /** Every chunk of `snapshot`, as the source node serves them. */
  async function chunksOf(snapshot: Snapshot): Promise<Uint8Array[]> {
    const chunks: Uint8Array[] = [];
    for (let chunk = 0; chunk < snapshot.chunks; chunk++) {
      const response = await source.app.loadSnapshotChunk({
        height: snapshot.height,
        format: snapshot.format,
        chunk,
      });
      chunks.push(response.chunk);
    }
    return chunks;
  }

  beforeEach(async () => {
    const started = await AppHarness.start(
      {
        accounts: [genesisAccount(alice, 10_000_000n), genesisAccount(bob, 0n)],
        validators: [genesisValidator(testWallet("snap-operator"), testConsensusKey("snap-v0"), 5_000_000n)],
      },
      undefined,
      { snapshots: { interval: 4, keep: 2, maxChunkBytes: 512 } },
    );
    source = started.harness;
    for (let i = 0; i < 12; i++) {
      await source.block([await source.sign(alice, TransferMsg, { to: bob.address, amount: BigInt(1 + i) })]);
      // At a block's pace every due snapshot is written (a faster pace skips some; see below).
      await source.app.snapshots.settled();
    }
    restoredDir = mkdtempSync(join(tmpdir(), "uranus-restored-"));
    restored = await openUranusApp({ dataDir: restoredDir });
  });

  afterEach(async () => {
    await restored.close();
    await source.close();
    rmSync(restoredDir, { recursive: true, force: true });
  });

  it("keeps the newest snapshots of committed heights, in several chunks", async () => {
    const { snapshots } = await source.app.listSnapshots();
    expect(snapshots.map((s) => s.height)).to.deep.equal([12n, 8n]);
    expect(snapshots[0]!.chunks).to.be.greaterThan(1);
  });

  it("reaches the source's height, app hash, entries, chain id and block time, then executes the next block alike", async () => {
    const [snapshot] = (await source.app.listSnapshots()).snapshots;
    const appHash = source.app.committed.appHash;
    expect((await restored.offerSnapshot({ snapshot, appHash })).result).to.equal(OfferResult.ACCEPT);
    for (const [index, chunk] of (await chunksOf(snapshot!)).entries()) {
      const response = await restored.applySnapshotChunk({ index, chunk, sender: "node0" });
      expect(response.result, `chunk ${index}`).to.equal(ChunkResult.ACCEPT);
    }
    const info = await restored.info(infoRequest);
    expect(info.lastBlockHeight).to.equal(12n);
    expect(hex(info.lastBlockAppHash)).to.equal(hex(appHash));
    expect(restored.committed.entries("")).to.deep.equal(source.app.committed.entries(""));
    expect(readChainId(restored.committed)).to.equal(CHAIN_ID);
    // CheckTx and queries read the snapshot block's time before the first block, not 0.
    const sourceBlock = readLastBlock(source.app.committed);
    expect(sourceBlock.timeMs).to.be.greaterThan(0);
    expect(readLastBlock(restored.committed)).to.deep.equal(sourceBlock);

    const tx = await source.sign(alice, TransferMsg, { to: bob.address, amount: 99n });
    expect((await restored.checkTx({ tx, type: CheckTxType.NEW })).code).to.equal(ResultCode.OK);
    const fromSource = await source.app.finalizeBlock(blockRequest(13, [tx]));
    const fromRestored = await restored.finalizeBlock(blockRequest(13, [tx]));
    expect(fromRestored.txResults[0]!.code).to.equal(ResultCode.OK);
    expect(hex(fromRestored.appHash)).to.equal(hex(fromSource.appHash));
  });

  it("refuses a tampered chunk and bans its sender, and takes the chunk from another", async () => {
    const [snapshot] = (await source.app.listSnapshots()).snapshots;
    await restored.offerSnapshot({ snapshot, appHash: source.app.committed.appHash });
    const chunks = await chunksOf(snapshot!);
    const tampered = new Uint8Array(chunks[0]!);
    tampered[10] = tampered[10]! ^ 1;
    const refused = await restored.applySnapshotChunk({ index: 0, chunk: tampered, sender: "evil" });
    expect(refused.result).to.equal(ChunkResult.RETRY);
    expect(refused.refetchChunks).to.deep.equal([0]);
    expect(refused.rejectSenders).to.deep.equal(["evil"]);
    for (const [index, chunk] of chunks.entries()) {
      expect((await restored.applySnapshotChunk({ index, chunk, sender: "node1" })).result).to.equal(
        ChunkResult.ACCEPT,
      );
    }
    expect((await restored.info(infoRequest)).lastBlockHeight).to.equal(12n);
  });

  it("refuses a snapshot of another state, and after a snapshot that does not hash still restores a good one", async () => {
    const [newest, older] = (await source.app.listSnapshots()).snapshots;
    const appHash = source.app.committed.appHash;
    expect((await restored.offerSnapshot({ snapshot: older, appHash })).result).to.equal(OfferResult.REJECT);
    expect((await restored.offerSnapshot({ snapshot: { ...newest!, format: 9 }, appHash })).result).to.equal(
      OfferResult.REJECT_FORMAT,
    );

    // A forger relabels the older state with the newest app hash, describing its chunks honestly.
    const forgedMetadata = new Uint8Array(older!.metadata);
    forgedMetadata.set(appHash, 0);
    const forged = { ...older!, height: newest!.height, metadata: forgedMetadata };
    expect((await restored.offerSnapshot({ snapshot: forged, appHash })).result).to.equal(OfferResult.ACCEPT);
    const olderChunks = await chunksOf(older!);
    const outcomes = [];
    for (const [index, chunk] of olderChunks.entries()) {
      outcomes.push(await restored.applySnapshotChunk({ index, chunk, sender: "forger" }));
    }
    expect(outcomes.at(-1)?.result).to.equal(ChunkResult.REJECT_SNAPSHOT);
    expect(outcomes.at(-1)?.rejectSenders).to.deep.equal(["forger"]);
    expect((await restored.info(infoRequest)).lastBlockHeight).to.equal(0n);

    expect((await restored.offerSnapshot({ snapshot: newest, appHash })).result).to.equal(OfferResult.ACCEPT);
    for (const [index, chunk] of (await chunksOf(newest!)).entries()) {
      await restored.applySnapshotChunk({ index, chunk, sender: "node0" });
    }
    expect(hex((await restored.info(infoRequest)).lastBlockAppHash)).to.equal(hex(appHash));
  });

  it("snapshots the state of its own height even when the next blocks follow at once", async () => {
    const { harness } = await AppHarness.start(
      { accounts: [genesisAccount(alice, 10_000_000n)] },
      undefined,
      { snapshots: { interval: 4, keep: 3, maxChunkBytes: 512 } },
    );
    try {
      const appHashes = new Map<bigint, string>();
      for (let i = 0; i < 9; i++) {
        const tx = await harness.sign(alice, TransferMsg, { to: bob.address, amount: 1n });
        appHashes.set(BigInt(harness.height + 1), hex((await harness.block([tx])).appHash));
      }
      await harness.app.snapshots.settled();
      const { snapshots } = await harness.app.listSnapshots();
      expect(snapshots.map((s) => s.height)).to.deep.equal([8n, 4n]);
      // Restoring the older one checks its entries hash to the app hash of block 4, not of a later block.
      const older = snapshots[1]!;
      const appHash = new Uint8Array(Buffer.from(appHashes.get(older.height)!, "hex"));
      expect((await restored.offerSnapshot({ snapshot: older, appHash })).result).to.equal(
        OfferResult.ACCEPT,
      );
      for (let index = 0; index < older.chunks; index++) {
        const { chunk } = await harness.app.loadSnapshotChunk({
          height: older.height,
          format: older.format,
          chunk: index,
        });
        const response = await restored.applySnapshotChunk({ index, chunk, sender: "node0" });
        expect(response.result, `chunk ${index}`).to.equal(ChunkResult.ACCEPT);
      }
      const info = await restored.info(infoRequest);
      expect([info.lastBlockHeight, hex(info.lastBlockAppHash)]).to.deep.equal([4n, appHashes.get(4n)]);
    } finally {
      await harness.close();
    }
  });

  it("declines a snapshot once the app has state of its own", async () => {
    const [snapshot] = (await source.app.listSnapshots()).snapshots;
    const offer = await source.app.offerSnapshot({ snapshot, appHash: source.app.committed.appHash });
    expect(offer.result).to.equal(OfferResult.ABORT);
  });
});

describe("chain-sidecar snapshots: heights due while one is being written", () => {
  const scratch = scratchDirectory("uranus-snapshot-queue-", "each test");

  it("writes the one in progress and the newest that came meanwhile, skipping those in between", async () => {
    const snapshots = await StateSnapshots.open(
      scratch.path,
      { interval: 4, keep: 5 },
      pino({ level: "silent" }),
    );
    const closed: number[] = [];
    const entries = (height: number): EntryStream => {
      const list: StateEntry[] = [["k/height", new TextEncoder().encode(String(height))]];
      return { [Symbol.iterator]: () => list[Symbol.iterator](), close: () => closed.push(height) };
    };
    for (const height of [4, 6, 8, 12])
      snapshots.afterCommit(height, new Uint8Array(32), height * 1000, () => entries(height));
    await snapshots.settled();
    expect(snapshots.listSnapshots().snapshots.map((s) => s.height)).to.deep.equal([12n, 4n]);
    // Every stream is closed: the written ones when done, the skipped one (8) when the newer one replaced it.
    expect(closed.sort((a, b) => a - b)).to.deep.equal([4, 8, 12]);
  });
});
