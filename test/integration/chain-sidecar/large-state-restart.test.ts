import { expect } from "chai";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getAddress, Wallet } from "ethers";
import { buildUranusGenesis } from "../../../chain-sidecar/genesis/validator-homes.js";
import { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import type { TestnetNode } from "../../../chain-sidecar/testnet/testnet-node.js";
import { uranusSidecarLauncher } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import { run } from "../../../process/run-command.js";
import { signTransfer } from "../../support/transfer-load.js";

const CHAIN_ID = "uranus-large-state";
/** Accounts in genesis, one state key each: 100k in CI; URANUS_LARGE_STATE_KEYS=1000000 runs the same test at 1M. */
const ACCOUNTS = Number(process.env.URANUS_LARGE_STATE_KEYS ?? 100_000);

function accountAddress(i: number): string {
  return getAddress("0x" + createHash("sha256").update(`large-state:${i}`).digest("hex").slice(0, 40));
}

/** The app's "state loaded" log lines: one per start of the sidecar. */
function stateLoads(node: TestnetNode): { height: number; keys: number }[] {
  return readFileSync(join(node.home, "sidecar.log"), "utf8")
    .split("\n")
    .filter((line) => line.includes('"uranus app state loaded"'))
    .map((line) => JSON.parse(line.slice(line.indexOf("{"))) as { height: number; keys: number });
}

async function broadcastCommit(node: TestnetNode, tx: Uint8Array): Promise<void> {
  const response = await fetch(`${node.rpcUrl}/broadcast_tx_commit?tx=0x${Buffer.from(tx).toString("hex")}`, {
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as {
    result?: { check_tx: { code: number }; tx_result: { code: number } };
  };
  expect(body.result?.check_tx.code, JSON.stringify(body)).to.equal(0);
  expect(body.result?.tx_result.code, JSON.stringify(body)).to.equal(0);
}

/** The app's own height and app hash, asked through CometBFT's abci_info. */
async function abciInfo(node: TestnetNode): Promise<{ height: number; appHash: string }> {
  const response = await fetch(`${node.rpcUrl}/abci_info`, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as {
    result: { response: { last_block_height: string; last_block_app_hash: string } };
  };
  const { last_block_height: height, last_block_app_hash: appHash } = body.result.response;
  // base64, as block_results gives it
  return { height: Number(height), appHash };
}

/** `uranus chain compact` on `home`, as an operator runs it. */
function compactCommand(home: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run(process.execPath, [join(process.cwd(), "cli/uranus.js"), "chain", "compact", "--home", home]);
}

describe("a Uranus validator with a large state, killed with SIGKILL while its peers go on", function () {
  this.timeout(1_800_000);
  let testnet: Testnet;
  /** The validator that is killed; the other three keep the chain going (3 of 4 is over two thirds). */
  let node: TestnetNode;
  let peer: TestnetNode;
  const sender = new Wallet(Wallet.createRandom().privateKey);

  before(async () => {
    testnet = await Testnet.create({
      validators: 4,
      launcher: uranusSidecarLauncher,
      chainId: CHAIN_ID,
      timeoutCommitMs: 200,
      appGenesis: (_chainId, validators) =>
        buildUranusGenesis(validators, {
          accounts: [
            { address: sender.address, balance: 10n ** 12n },
            ...Array.from({ length: ACCOUNTS }, (_, i) => ({ address: accountAddress(i), balance: 1n })),
          ],
        }),
    });
    node = testnet.nodes[3]!;
    peer = testnet.nodes[0]!;
    // InitChain puts every genesis account into the trie once; later starts open it as stored.
    await testnet.start(2, 1_500_000);
  });

  after(async () => {
    await testnet.destroy();
  });

  it("restarts at its last commit without rebuilding, catches up with its peers and has their app hash", async () => {
    await broadcastCommit(peer, signTransfer(sender, CHAIN_ID, accountAddress(0), 5n, 0));
    const before = await node.status();
    await node.kill("sidecar");
    // CometBFT cannot go on without its app; it stops itself (or we stop it) before the restart.
    await node.waitForCometbftExit().catch(() => node.kill("cometbft"));
    // The peers go on without it: blocks with transfers it has not seen.
    for (let nonce = 1; nonce < 4; nonce++) {
      await broadcastCommit(peer, signTransfer(sender, CHAIN_ID, accountAddress(nonce), 5n, nonce));
    }
    const peersHeight = (await peer.status()).height;
    expect(peersHeight).to.be.greaterThan(before.height);

    const restarted = performance.now();
    await node.start();
    const reopenMs = performance.now() - restarted;
    // CometBFT's handshake compares the app's height and app hash with its own store and halts on a mismatch, so
    // catching up means the app came back exactly at a block CometBFT committed, then executed the peers' blocks.
    await testnet.waitForHeight(peersHeight + 2, testnet.nodes, 300_000);
    await broadcastCommit(node, signTransfer(sender, CHAIN_ID, accountAddress(4), 5n, 4));

    const loads = stateLoads(node);
    expect(loads).to.have.length(2);
    const reload = loads[1]!;
    expect(reload.keys).to.be.at.least(ACCOUNTS);
    expect(reload.height).to.be.within(before.height - 1, before.height + 1);
    const info = await abciInfo(node);
    expect(info.height).to.be.greaterThan(peersHeight);
    const hashes = await testnet.appHashesAfter(info.height);
    expect(new Set(hashes).size, hashes.join(" ")).to.equal(1);
    expect(await node.appHashAfter(info.height)).to.equal(info.appHash);
    console.log(
      `      restart with ${reload.keys} keys at height ${reload.height}: socket ready in ${reopenMs.toFixed(0)} ms; ` +
        `caught up from ${reload.height} to ${peersHeight}, app hash equal on 4 validators at ${info.height}`,
    );
  });

  it("has its state file compacted by `uranus chain compact` only once stopped, and rejoins with its peers' app hash", async () => {
    const refused = await compactCommand(node.home);
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.include(
      `is open in process ${node.pids.sidecar}: stop the node before compacting`,
    );

    await node.stop();
    const compacted = await compactCommand(node.home);
    expect(compacted.code, compacted.stderr).to.equal(0);
    const [, before, after] = /state file ([\d.]+) MB -> ([\d.]+) MB/.exec(compacted.stdout) ?? [];
    expect(Number(after)).to.be.above(0).and.at.most(Number(before));

    const peersHeight = (await peer.status()).height;
    await node.start();
    await testnet.waitForHeight(peersHeight + 2, testnet.nodes, 300_000);
    await broadcastCommit(node, signTransfer(sender, CHAIN_ID, accountAddress(5), 5n, 5));
    const info = await abciInfo(node);
    const hashes = await testnet.appHashesAfter(info.height);
    expect(new Set(hashes).size, hashes.join(" ")).to.equal(1);
    console.log(
      `      compacted while stopped: state file ${before} MB -> ${after} MB; rejoined at ${info.height}`,
    );
  });
});
