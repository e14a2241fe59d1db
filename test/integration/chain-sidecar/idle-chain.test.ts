import { expect } from "chai";
import { setTimeout as sleep } from "node:timers/promises";
import { Wallet } from "ethers";
import { buildUranusGenesis } from "../../../chain-sidecar/genesis/validator-homes.js";
import { headerHash } from "../../../chain-sidecar/solo/block-hashing.js";
import { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import type { TestnetNode } from "../../../chain-sidecar/testnet/testnet-node.js";
import { uranusSidecarLauncher } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import { waitFor } from "../../../process/wait-for.js";
import { signTransfer } from "../../support/transfer-load.js";
import { headerFromJson, type HeaderJson } from "../../support/cometbft-block-json.js";

const CHAIN_ID = "uranus-idle";
const BLOCK_TIME_MS = 200;
/** Many block times: a node making empty blocks would make over twenty in it. */
const QUIET_MS = 5_000;

interface BlockJson {
  block_id: { hash: string };
  block: { header: HeaderJson; data: { txs: string[] } };
}

async function rpc<T>(node: TestnetNode, path: string): Promise<T> {
  const response = await fetch(`${node.rpcUrl}${path}`, { signal: AbortSignal.timeout(3000) });
  const body = (await response.json()) as { result?: T; error?: unknown };
  if (body.result === undefined) throw new Error(`${path}: ${JSON.stringify(body.error)}`);
  return body.result;
}

describe("a real CometBFT validator with create_empty_blocks = false over the Uranus app", function () {
  this.timeout(120_000);
  let testnet: Testnet;
  let node: TestnetNode;
  const sender = new Wallet(Wallet.createRandom().privateKey);

  before(async () => {
    testnet = await Testnet.create({
      validators: 1,
      launcher: uranusSidecarLauncher,
      chainId: CHAIN_ID,
      timeoutCommitMs: BLOCK_TIME_MS,
      createEmptyBlocks: false,
      appGenesis: (_chainId, validators) =>
        buildUranusGenesis(validators, { accounts: [{ address: sender.address, balance: 10n ** 12n }] }),
    });
    node = testnet.nodes[0]!;
    // CometBFT makes the first block even when empty blocks are off.
    await testnet.start(1);
  });

  after(async () => {
    await testnet.destroy();
  });

  /** Waits until the height holds for a few block times, then checks it holds (with the app hash) for QUIET_MS. */
  async function expectQuiet(): Promise<{ height: number; appHash: string }> {
    let last = { height: -1, appHash: "" };
    const settled = await waitFor(
      async () => {
        const status = await node.status();
        const same = status.height === last.height;
        last = { height: status.height, appHash: status.appHash };
        if (!same) await sleep(4 * BLOCK_TIME_MS);
        return same ? last : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1, description: "the chain to settle" },
    );
    // Absence of blocks can only be observed over time.
    await sleep(QUIET_MS);
    const after = await node.status();
    expect(after.height, "no block while idle").to.equal(settled.height);
    expect(after.appHash).to.equal(settled.appHash);
    return settled;
  }

  it("stops making blocks while idle, makes them for a tx, and goes quiet again with one proof block", async () => {
    const idle = await expectQuiet();
    const tx = signTransfer(sender, CHAIN_ID, Wallet.createRandom().address, 7n, 0);
    const committed = await rpc<{ tx_result: { code: number; log: string }; height: string }>(
      node,
      `/broadcast_tx_commit?tx=0x${Buffer.from(tx).toString("hex")}`,
    );
    expect(committed.tx_result.code, committed.tx_result.log).to.equal(0);
    const txHeight = Number(committed.height);
    expect(txHeight).to.equal(idle.height + 1);
    const quiet = await expectQuiet();
    expect(quiet.height, "the tx block, then the proof block carrying its app hash").to.equal(txHeight + 1);
    expect(quiet.appHash).to.not.equal(idle.appHash);
  });

  it("keeps the app hash across every block without txs, and its headers hash as block-hashing.ts computes", async () => {
    const { height } = await node.status();
    for (let h = 1; h <= height; h++) {
      const block = await rpc<BlockJson>(node, `/block?height=${h}`);
      expect(headerHash(headerFromJson(block.block.header)), `block ${h}`).to.deep.equal(
        new Uint8Array(Buffer.from(block.block_id.hash, "hex")),
      );
      if (block.block.data.txs.length > 0) continue;
      const after = await node.appHashAfter(h);
      expect(after, `app hash after empty block ${h}`).to.equal(
        Buffer.from(block.block.header.app_hash, "hex").toString("base64"),
      );
    }
  });
});
