import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { buildUranusGenesis } from "../../../chain-sidecar/genesis/validator-homes.js";
import { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import type { TestnetNode } from "../../../chain-sidecar/testnet/testnet-node.js";
import { uranusSidecarLauncherWith } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import { waitFor } from "../../../process/wait-for.js";
import { TransferLoad } from "../../support/transfer-load.js";

const CHAIN_ID = "uranus-state-sync";
const SNAPSHOT_INTERVAL = 10;

/** The sidecar's log records (pino JSON lines) with message `msg`. */
function sidecarLogRecords(node: TestnetNode, msg: string): Record<string, unknown>[] {
  return readFileSync(join(node.home, "sidecar.log"), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record.msg === msg);
}

/** A sender's balance with the height it was read at (the app serves its latest committed height only). */
async function balance(node: TestnetNode, address: string): Promise<{ height: string; balance: string }> {
  const response = await fetch(`${node.rpcUrl}/abci_query?path="/account/${address}"`, {
    signal: AbortSignal.timeout(3000),
  });
  const body = (await response.json()) as { result: { response: { value: string | null; height: string } } };
  const { value, height } = body.result.response;
  const record =
    value === null ? undefined : (JSON.parse(Buffer.from(value, "base64").toString()) as { balance: string });
  return { height, balance: record?.balance ?? "absent" };
}

describe("a new node joining a 4-validator Uranus testnet through CometBFT state sync", function () {
  this.timeout(180_000);
  let testnet: Testnet;
  let load: TransferLoad;
  const senders = TransferLoad.fundedSenders(2);

  before(async () => {
    testnet = await Testnet.create({
      validators: 4,
      launcher: uranusSidecarLauncherWith([
        "--snapshot-interval",
        String(SNAPSHOT_INTERVAL),
        "--snapshot-keep",
        "3",
      ]),
      chainId: CHAIN_ID,
      timeoutCommitMs: 300,
      roundTimeoutMs: 1000,
      appGenesis: (_chainId, validators) =>
        buildUranusGenesis(validators, {
          accounts: senders.map((s) => ({ address: s.address, balance: 10n ** 15n })),
        }),
    });
    await testnet.start(2);
    load = new TransferLoad(
      CHAIN_ID,
      senders,
      () => [testnet.nodes[0]!.rpcUrl, testnet.nodes[1]!.rpcUrl],
      20,
    );
    load.start();
  });

  after(async () => {
    await load.stop();
    await testnet.destroy();
  });

  it("restores a validator's snapshot instead of replaying, then follows the chain with the same app hash", async () => {
    const validators = testnet.nodes.slice(0, 4);
    // Two snapshots on every validator, and the chain two blocks past the newest so the light client can verify it.
    await testnet.waitForHeight(2 * SNAPSHOT_INTERVAL + 2, validators, 60_000);
    await waitFor(
      () => validators.every((n) => sidecarLogRecords(n, "snapshot taken").length >= 2) || undefined,
      {
        timeoutMs: 20_000,
        description: "two snapshots taken on every validator",
      },
    );
    expect(load.stats.accepted, "transfers accepted before the join").to.be.greaterThan(0);

    const joined = await testnet.addStateSyncedNode();
    await testnet.waitForCaughtUp([...validators, joined], 60_000);

    const restored = sidecarLogRecords(joined, "snapshot restored");
    expect(restored, "the new node's app restored a snapshot").to.have.length(1);
    const snapshotHeight = restored[0]!.height as number;
    expect(snapshotHeight % SNAPSHOT_INTERVAL).to.equal(0);
    expect(snapshotHeight).to.be.at.least(2 * SNAPSHOT_INTERVAL);
    expect(sidecarLogRecords(joined, "restoring snapshot"), "OfferSnapshot accepted").to.not.be.empty;
    expect(sidecarLogRecords(joined, "genesis applied"), "InitChain never ran").to.have.length(0);
    const status = await joined.status();
    expect(status.earliestHeight, "the block store starts after the snapshot").to.equal(snapshotHeight + 1);
    expect(readFileSync(join(joined.home, "cometbft.log"), "utf8")).to.include("Snapshot restored");

    // Blocks after the snapshot, executed by the new node itself, give every node the same app hash.
    const common = status.height + 3;
    await testnet.waitForHeight(common + 1, [...validators, joined], 30_000);
    const hashes = await testnet.appHashesAfter(common, [...validators, joined]);
    expect(new Set(hashes).size, `app hashes after block ${common}: ${hashes.join(", ")}`).to.equal(1);
    expect(hashes[0]).to.not.equal("");

    // The restored state answers queries as the validators do: the same balance, read at the same height.
    await load.stop();
    const [fromValidator, fromJoined] = await waitFor(
      async () => {
        const read = await Promise.all([validators[0]!, joined].map((n) => balance(n, senders[0]!.address)));
        return read[0]!.height === read[1]!.height ? read : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, description: "a balance read at one height on both nodes" },
    );
    expect(fromValidator!.balance).to.not.equal("absent");
    expect(fromJoined!.balance).to.equal(fromValidator!.balance);
  });
});
