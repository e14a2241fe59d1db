import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { pino } from "pino";
import { openUranusApp, type UranusApp } from "../../../../chain-sidecar/app/uranus-app.js";
import { ChainClient } from "../../../../chain-sidecar/client/chain-client.js";
import { ChainOverloadedError } from "../../../../chain-sidecar/client/chain-errors.js";
import { buildGenesisAppState } from "../../../../chain-sidecar/genesis/app-state.js";
import { defaultConsensusParams, newGenesisDoc } from "../../../../chain-sidecar/genesis/genesis-doc.js";
import { ValidatorKey } from "../../../../chain-sidecar/node/validator-key.js";
import { SoloRpcServer } from "../../../../chain-sidecar/solo/rpc-server.js";
import { SoloProducer } from "../../../../chain-sidecar/solo/solo-producer.js";
import { ProposeParamChangeMsg } from "../../../../chain-sidecar/modules/governance/governance-messages.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { waitFor } from "../../../../process/wait-for.js";
import { signTransfer } from "../../../support/transfer-load.js";
import { CHAIN_ID, testWallet } from "../app-harness.js";
import { genesisAccount } from "../genesis-entries.js";

const MAX_BLOCK_TXS = 5;
const SENDERS = Array.from({ length: 120 }, (_, i) => testWallet(`solo-overload-${i}`));
const RECIPIENT = testWallet("solo-overload-recipient").address;
/** The only validator's operator: its governance proposal alone is a majority. */
const OPERATOR = new Wallet(testWallet("solo-overload-operator").privateKey);

interface OverloadChain {
  client: ChainClient;
  producer: SoloProducer;
  blockTxCounts: number[];
  stop(): Promise<void>;
}

/** A solo chain whose blocks take MAX_BLOCK_TXS txs (block.max_gas), with the given mempool and app limits. */
async function startOverloadChain(limits: {
  mempoolTxs: number;
  appPendingTxs: number;
}): Promise<OverloadChain> {
  const dir = mkdtempSync(join(tmpdir(), "uranus-solo-overload-"));
  const logger = pino({ level: "silent" });
  const key = ValidatorKey.generate();
  const app: UranusApp = await openUranusApp({
    dataDir: join(dir, "app"),
    logger,
    maxPendingTxs: limits.appPendingTxs,
  });
  const params = defaultConsensusParams();
  params.block.max_gas = String(MAX_BLOCK_TXS);
  const producer = new SoloProducer({
    app,
    genesis: newGenesisDoc({
      chainId: CHAIN_ID,
      validators: [{ publicKey: key.publicKey, power: 10_000_000n }],
      consensusParams: params,
      appState: buildGenesisAppState({
        accounts: [...SENDERS, OPERATOR].map((s) => genesisAccount(s, 1_000_000n)),
        validators: [
          {
            operator: OPERATOR.address,
            consensusPubKey: Buffer.from(key.publicKey).toString("base64"),
            deposit: 10_000_000n,
          },
        ],
      }),
    }),
    blockIntervalMs: 300,
    validatorKey: key,
    logger,
    mempool: { maxTxs: limits.mempoolTxs },
    onFatal: (error) => logger.error(error),
  });
  const blockTxCounts: number[] = [];
  producer.onBlock((block) => blockTxCounts.push(block.txs.length));
  await producer.start();
  const rpc = new SoloRpcServer({ producer, logger });
  await rpc.listen();
  const client = await ChainClient.connect(rpc.url);
  return {
    client,
    producer,
    blockTxCounts,
    async stop() {
      client.disconnect();
      await rpc.close();
      await producer.stop();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One transfer from each sender (nonce 0), so no refusal is about nonce order. */
const flood = SENDERS.map((s) => signTransfer(s, CHAIN_ID, RECIPIENT, 1n, 0));

async function floodAndWaitForBlocks(chain: OverloadChain): Promise<{ admitted: number; shed: unknown[] }> {
  const answers = await chain.client.broadcastBatch(flood);
  const admitted = answers.filter((a) => a === undefined).length;
  await waitFor(() => chain.blockTxCounts.reduce((a, b) => a + b, 0) >= admitted || undefined, {
    timeoutMs: 20_000,
    intervalMs: 50,
    description: `the ${admitted} admitted transfers in blocks`,
  });
  return { admitted, shed: answers.filter((a) => a !== undefined) };
}

describe("chain-sidecar solo producer under more load than its blocks carry", function () {
  this.timeout(60_000);

  for (const [name, limits] of [
    ["the app's pending limit", { mempoolTxs: 50, appPendingTxs: 12 }],
    ["its full mempool (CometBFT's message)", { mempoolTxs: 12, appPendingTxs: 1000 }],
  ] as const) {
    it(`sheds the excess through ${name} as OVERLOADED and keeps every block within max_gas`, async () => {
      const chain = await startOverloadChain(limits);
      try {
        const { admitted, shed } = await floodAndWaitForBlocks(chain);
        expect(admitted, "admitted").to.be.at.least(12);
        // A block or two may come during the flood and make room; most of the 120 are still shed.
        expect(shed.length, "shed").to.be.at.least(SENDERS.length - 12 - 4 * MAX_BLOCK_TXS);
        for (const refusal of shed) {
          expect(refusal).to.be.instanceOf(ChainOverloadedError);
          expect((refusal as ChainOverloadedError).code).to.equal(ResultCode.OVERLOADED);
        }
        expect(Math.max(...chain.blockTxCounts)).to.equal(MAX_BLOCK_TXS);
        expect(chain.producer.mempool.size).to.equal(0);
      } finally {
        await chain.stop();
      }
    });
  }

  it("takes a block tx limit changed by governance from the next block on", async () => {
    const chain = await startOverloadChain({ mempoolTxs: 200, appPendingTxs: 200 });
    try {
      const change = { changes: [{ module: "block", name: "maxTxs", value: String(MAX_BLOCK_TXS + 4) }] };
      const applied = await chain.client.submit(OPERATOR, ProposeParamChangeMsg, change);
      expect(applied.events.map((e) => e.type)).to.include("param_change");
      const before = chain.blockTxCounts.length;
      const { admitted } = await floodAndWaitForBlocks(chain);
      expect(admitted, "all admitted: nothing is over the limits").to.equal(SENDERS.length);
      expect(Math.max(...chain.blockTxCounts.slice(before))).to.equal(MAX_BLOCK_TXS + 4);
    } finally {
      await chain.stop();
    }
  });
});
