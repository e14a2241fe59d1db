import { expect } from "chai";
import { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import type { TestnetNode } from "../../../chain-sidecar/testnet/testnet-node.js";
import { waitFor } from "../../../process/wait-for.js";
import { kvstoreSidecarLauncher } from "../../support/kvstore-sidecar.js";

async function maxHeight(nodes: TestnetNode[]): Promise<number> {
  const heights = await Promise.all(nodes.map((n) => n.height()));
  return Math.max(...heights.map((h) => h ?? 0));
}

/** Every node that answers reports the same block hash at each height in [from, to]. */
async function expectOneChain(nodes: TestnetNode[], from: number, to: number): Promise<void> {
  for (let h = from; h <= to; h++) {
    const hashes = new Set(
      (await Promise.all(nodes.map((n) => n.blockHash(h)))).filter((x) => x !== undefined),
    );
    expect(hashes.size, `block hashes at height ${h}`).to.be.at.most(1);
  }
}

describe("a 4-validator CometBFT testnet losing and regaining validators", function () {
  this.timeout(180_000);
  let testnet: Testnet;

  before(async () => {
    testnet = await Testnet.create({
      validators: 4,
      launcher: kvstoreSidecarLauncher,
      chainId: "liveness-test",
      timeoutCommitMs: 300,
      roundTimeoutMs: 1000,
    });
    await testnet.start(2);
  });

  after(async () => {
    await testnet.destroy();
  });

  it("keeps committing with one of four validators down", async () => {
    const [a, b, c, d] = testnet.nodes as [TestnetNode, TestnetNode, TestnetNode, TestnetNode];
    await d.kill("both");
    const before = await maxHeight([a, b, c]);
    await testnet.waitForHeight(before + 3, [a, b, c], 30_000);
  });

  it("stops without forking when two of four are down", async () => {
    const [a, b, c] = testnet.nodes as [TestnetNode, TestnetNode, TestnetNode];
    await c.kill("both");
    const stalledAt = await maxHeight([a, b]);
    // Absence of progress can only be observed over time: watch for several round timeouts.
    const watchUntil = performance.now() + 6000;
    let highest = stalledAt;
    await waitFor(
      async () => {
        highest = Math.max(highest, await maxHeight([a, b]));
        return performance.now() >= watchUntil || undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250, description: "the watch window" },
    );
    // A block whose precommits were already gathered may still land; nothing after it.
    expect(highest).to.be.at.most(stalledAt + 1);
    await expectOneChain([a, b], 1, highest);
  });

  it("resumes when they return, and all four agree on the app hash at one height", async () => {
    const [, , c, d] = testnet.nodes as [TestnetNode, TestnetNode, TestnetNode, TestnetNode];
    const stalled = await maxHeight(testnet.nodes);
    await c.start();
    await d.start();
    await testnet.waitForHeight(stalled + 3, testnet.nodes, 60_000);
    const common = stalled + 2;
    const hashes = await Promise.all(testnet.nodes.map((n) => n.appHashAfter(common)));
    expect(hashes.every((h) => h !== undefined && h !== "")).to.equal(true);
    expect(new Set(hashes).size).to.equal(1);
    await expectOneChain(testnet.nodes, 1, common);
  });
});
