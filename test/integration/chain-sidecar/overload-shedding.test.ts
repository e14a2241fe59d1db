import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { pino } from "pino";
import { AbciGrpcServer } from "../../../chain-sidecar/abci/grpc-server.js";
import { openUranusApp, type UranusApp } from "../../../chain-sidecar/app/uranus-app.js";
import { ChainClient } from "../../../chain-sidecar/client/chain-client.js";
import { ChainOverloadedError } from "../../../chain-sidecar/client/chain-errors.js";
import { buildGenesisAppState } from "../../../chain-sidecar/genesis/app-state.js";
import {
  defaultConsensusParams,
  newGenesisDoc,
  writeGenesisDoc,
} from "../../../chain-sidecar/genesis/genesis-doc.js";
import { configureCometHome } from "../../../chain-sidecar/node/cometbft-config.js";
import { cometbftBinary, homePaths, initCometHome } from "../../../chain-sidecar/node/cometbft-home.js";
import { ValidatorKey } from "../../../chain-sidecar/node/validator-key.js";
import { ProposeParamChangeMsg } from "../../../chain-sidecar/modules/governance/governance-messages.js";
import { ResultCode } from "../../../chain-sidecar/tx/result-codes.js";
import { freePorts } from "../../../process/free-port.js";
import { startProcess, type ManagedProcess } from "../../../process/managed-process.js";
import { waitFor } from "../../../process/wait-for.js";
import { signTransfer } from "../../support/transfer-load.js";

const CHAIN_ID = "uranus-overload";
const MAX_BLOCK_TXS = 20;
const TIMEOUT_COMMIT_MS = 500;
const SENDERS = Array.from({ length: 600 }, () => new Wallet(Wallet.createRandom().privateKey));
const RECIPIENT = "0x000000000000000000000000000000000000dEaD";

interface Node {
  client: ChainClient;
  /** The only validator's operator: its governance proposal alone is a majority. */
  operator: Wallet;
  rpcUrl: string;
  stop(): Promise<void>;
}

/** One real CometBFT validator driving an in-process Uranus app, with small blocks, mempool and pending limit. */
async function startNode(limits: { mempoolSize: number; maxPendingTxs: number }): Promise<Node> {
  const home = mkdtempSync(join(tmpdir(), "uranus-overload-"));
  await initCometHome(home);
  const [rpcPort, p2pPort] = await freePorts(2);
  const socket = homePaths(home).abciSocket;
  configureCometHome(home, {
    moniker: "overload",
    proxyApp: `unix://${socket}`,
    rpcPort,
    p2pPort,
    timeoutCommitMs: TIMEOUT_COMMIT_MS,
    roundTimeoutMs: 1000,
    logLevel: "error",
    mempoolSize: limits.mempoolSize,
    rpcMaxBatchSize: 100,
  });
  const key = ValidatorKey.load(homePaths(home).validatorKey);
  const consensusParams = defaultConsensusParams();
  consensusParams.block.max_gas = String(MAX_BLOCK_TXS);
  const operator = new Wallet(Wallet.createRandom().privateKey);
  writeGenesisDoc(
    homePaths(home).genesis,
    newGenesisDoc({
      chainId: CHAIN_ID,
      validators: [{ publicKey: key.publicKey, power: 10n }],
      consensusParams,
      appState: buildGenesisAppState({
        accounts: [
          { address: operator.address, balance: 1_000_000n },
          ...SENDERS.map((s) => ({ address: s.address, balance: 1_000_000n })),
        ],
        validators: [
          {
            operator: operator.address,
            consensusPubKey: Buffer.from(key.publicKey).toString("base64"),
            deposit: 1_000_000n,
          },
        ],
      }),
    }),
  );
  const app: UranusApp = await openUranusApp({
    dataDir: join(home, "app"),
    maxPendingTxs: limits.maxPendingTxs,
  });
  const faults: Error[] = [];
  const server = new AbciGrpcServer({
    app,
    logger: pino({ level: "silent" }),
    onFatal: (e) => faults.push(e),
  });
  await server.listen(`unix://${socket}`);
  const cometbft: ManagedProcess = startProcess("cometbft", cometbftBinary(), ["start", "--home", home], {
    logFile: join(home, "cometbft.log"),
  });
  const stop = async (): Promise<void> => {
    await cometbft.stop();
    await server.close();
    await app.close();
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const client = await waitFor(
      async () => {
        if (cometbft.exited()) throw new Error(`cometbft exited:\n${cometbft.logTail()}`);
        if (faults.length > 0) throw faults[0]!;
        return ChainClient.connect(`http://127.0.0.1:${rpcPort}`).catch(() => undefined);
      },
      { timeoutMs: 30_000, intervalMs: 200, description: "the node's RPC" },
    );
    return {
      client,
      operator,
      rpcUrl: `http://127.0.0.1:${rpcPort}`,
      stop: async () => {
        client.disconnect();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface FloodOutcome {
  admitted: number;
  shed: ChainOverloadedError[];
  others: unknown[];
  startHeight: number;
}

/** One transfer from each sender (so no refusal is about nonces), in batches of 30 every 40 ms: ~750 tx/s offered. */
async function flood(client: ChainClient): Promise<FloodOutcome> {
  const startHeight = (await client.comet.status()).syncInfo.latestBlockHeight;
  const txs = SENDERS.map((s) => signTransfer(s, CHAIN_ID, RECIPIENT, 1n, 0));
  const outcome: FloodOutcome = { admitted: 0, shed: [], others: [], startHeight };
  for (let start = 0; start < txs.length; start += 30) {
    const answers = await client.broadcastBatch(txs.slice(start, start + 30));
    for (const answer of answers) {
      if (answer === undefined) outcome.admitted++;
      else if (answer instanceof ChainOverloadedError) outcome.shed.push(answer);
      else outcome.others.push(answer);
    }
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  return outcome;
}

interface BlockSummary {
  height: number;
  txs: number;
  timeMs: number;
}

/** Polls until the blocks after `startHeight` carry `admitted` txs, then returns those blocks. */
async function blocksCarrying(
  client: ChainClient,
  startHeight: number,
  admitted: number,
): Promise<BlockSummary[]> {
  const blocks = new Map<number, BlockSummary>();
  await waitFor(
    async () => {
      const latest = (await client.comet.status()).syncInfo.latestBlockHeight;
      for (let max = latest; max > startHeight; max -= 20) {
        const min = Math.max(startHeight + 1, max - 19);
        if (blocks.has(min) && blocks.has(max)) continue;
        for (const meta of (await client.comet.blockchain(min, max)).blockMetas) {
          blocks.set(meta.header.height, {
            height: meta.header.height,
            txs: meta.numTxs,
            timeMs: meta.header.time.getTime(),
          });
        }
      }
      const carried = [...blocks.values()].reduce((sum, b) => sum + b.txs, 0);
      return carried >= admitted || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300, description: `the ${admitted} admitted transfers in blocks` },
  );
  return [...blocks.values()].sort((a, b) => a.height - b.height);
}

function expectBoundedBlocksOnTime(
  blocks: BlockSummary[],
  admitted: number,
  maxBlockTxs = MAX_BLOCK_TXS,
): void {
  expect(
    blocks.reduce((sum, b) => sum + b.txs, 0),
    "every admitted transfer in a block",
  ).to.equal(admitted);
  expect(Math.max(...blocks.map((b) => b.txs)), "the largest block").to.equal(maxBlockTxs);
  const loaded = blocks.filter((b) => b.txs > 0);
  const gaps = loaded.slice(1).map((b, i) => b.timeMs - loaded[i]!.timeMs);
  const meanGap = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  // The block time is timeout_commit plus a round; unbounded, a block would take every queued tx and stretch.
  expect(meanGap, `mean interval of blocks carrying txs (${gaps.join(", ")} ms)`).to.be.below(1500);
  expect(Math.max(...gaps), "longest interval").to.be.below(4000);
}

describe("a real CometBFT node under more load than its blocks carry", function () {
  this.timeout(180_000);

  it("sheds the excess in the app's CheckTx as OVERLOADED, and keeps blocks bounded and on time", async () => {
    const node = await startNode({ mempoolSize: 60, maxPendingTxs: 40 });
    try {
      const outcome = await flood(node.client);
      expect(outcome.others, "refusals other than OVERLOADED").to.deep.equal([]);
      expect(outcome.admitted).to.be.at.least(40);
      expect(outcome.shed.length, "shed").to.be.at.least(SENDERS.length / 2);
      for (const refusal of outcome.shed) {
        expect(refusal.code).to.equal(ResultCode.OVERLOADED);
        expect(refusal.log).to.match(
          /^OVERLOADED: \d+ transactions wait for a block on this node \(its limit is 40\)/,
        );
        expect(refusal.retryable).to.equal(true);
      }
      expectBoundedBlocksOnTime(
        await blocksCarrying(node.client, outcome.startHeight, outcome.admitted),
        outcome.admitted,
      );
    } finally {
      await node.stop();
    }
  });

  it('reports CometBFT\'s own "mempool is full" to the client as the same OVERLOADED code', async () => {
    const node = await startNode({ mempoolSize: 30, maxPendingTxs: 10_000 });
    try {
      const outcome = await flood(node.client);
      expect(outcome.others, "refusals other than OVERLOADED").to.deep.equal([]);
      expect(outcome.shed.length, "shed").to.be.at.least(SENDERS.length / 2);
      for (const refusal of outcome.shed) {
        expect(refusal.code).to.equal(ResultCode.OVERLOADED);
        expect(refusal.log).to.match(/mempool is full: number of txs 30 \(max: 30\)/);
      }
      expectBoundedBlocksOnTime(
        await blocksCarrying(node.client, outcome.startHeight, outcome.admitted),
        outcome.admitted,
      );
    } finally {
      await node.stop();
    }
  });

  it("takes a block tx limit changed by governance: CometBFT's consensus params and blocks follow from the next height", async () => {
    const node = await startNode({ mempoolSize: 60, maxPendingTxs: 50 });
    try {
      const raised = MAX_BLOCK_TXS + 15;
      const change = { changes: [{ module: "block", name: "maxTxs", value: String(raised) }] };
      const applied = await node.client.submit(node.operator, ProposeParamChangeMsg, change);
      expect(applied.events.map((e) => e.type)).to.include("param_change");
      const response = await fetch(`${node.rpcUrl}/consensus_params?height=${applied.height! + 1}`);
      const params = (await response.json()) as {
        result: { consensus_params: { block: { max_gas: string } } };
      };
      expect(params.result.consensus_params.block.max_gas).to.equal(String(raised));
      const outcome = await flood(node.client);
      expect(outcome.others, "refusals other than OVERLOADED").to.deep.equal([]);
      expect(outcome.admitted, "more admitted than the raised limit").to.be.above(raised);
      expectBoundedBlocksOnTime(
        await blocksCarrying(node.client, outcome.startHeight, outcome.admitted),
        outcome.admitted,
        raised,
      );
    } finally {
      await node.stop();
    }
  });
});
