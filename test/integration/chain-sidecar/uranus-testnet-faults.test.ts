import { expect } from "chai";
import { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import type { TestnetNode } from "../../../chain-sidecar/testnet/testnet-node.js";
import { uranusSidecarLauncher } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import { buildUranusGenesis } from "../../../chain-sidecar/genesis/validator-homes.js";
import { homePaths } from "../../../chain-sidecar/node/cometbft-home.js";
import { ValidatorKey } from "../../../chain-sidecar/node/validator-key.js";
import { waitFor } from "../../../process/wait-for.js";
import { TransferLoad } from "../../support/transfer-load.js";
import { equivocatingSidecarLauncher } from "../../support/equivocating-sidecar.js";

const CHAIN_ID = "uranus-faults";

interface AppValidator {
  consensusAddress: string;
  jailed: boolean;
  jailReason: string;
  deposit: string;
  power: string;
}

async function appValidators(node: TestnetNode): Promise<AppValidator[]> {
  const response = await fetch(`${node.rpcUrl}/abci_query?path="/validators"`, {
    signal: AbortSignal.timeout(3000),
  });
  const body = (await response.json()) as { result: { response: { value: string } } };
  return JSON.parse(Buffer.from(body.result.response.value, "base64").toString("utf8")) as AppValidator[];
}

async function cometValidatorCount(node: TestnetNode): Promise<number> {
  const response = await fetch(`${node.rpcUrl}/validators`, { signal: AbortSignal.timeout(3000) });
  const body = (await response.json()) as { result: { total: string } };
  return Number(body.result.total);
}

const consensusAddress = (node: TestnetNode): string =>
  ValidatorKey.load(homePaths(node.home).validatorKey).addressHex;

describe("Uranus validators on a real 4-node CometBFT testnet", function () {
  this.timeout(240_000);
  let testnet: Testnet;
  let nodes: [TestnetNode, TestnetNode, TestnetNode, TestnetNode];
  const senders = TransferLoad.fundedSenders(4);
  const initialDeposit = 1_000_000n;

  before(async () => {
    testnet = await Testnet.create({
      validators: 4,
      launcher: uranusSidecarLauncher,
      chainId: CHAIN_ID,
      timeoutCommitMs: 300,
      roundTimeoutMs: 1000,
      appGenesis: (_chainId, validators) =>
        buildUranusGenesis(validators, {
          deposit: initialDeposit,
          accounts: senders.map((s) => ({ address: s.address, balance: 10n ** 15n })),
          // Small windows so downtime and elections happen within seconds, yet a slow shared machine jails no one by accident.
          params: {
            staking: {
              epochBlocks: 5,
              downtimeWindowBlocks: 20,
              maxMissedBlocks: 10,
              downtimeJailBlocks: 100_000,
              doubleSignJailBlocks: 100_000,
            },
          },
        }),
    });
    // A copy: the twin added later is not one of the four.
    nodes = [...testnet.nodes] as typeof nodes;
    await testnet.start(2);
  });

  after(async () => {
    await testnet.destroy();
  });

  it("jails a validator that stays down past the downtime window", async () => {
    const down = nodes[2];
    const address = consensusAddress(down);
    await testnet.waitForCaughtUp();
    // Missed votes are counted in blocks with txs (an idle chain writes nothing), as operators' heartbeats make.
    const heartbeats = new TransferLoad(CHAIN_ID, senders.slice(0, 1), () => [nodes[0].rpcUrl], 4);
    heartbeats.start();
    try {
      await down.stop();
      await waitFor(
        async () => {
          const record = (await appValidators(nodes[0])).find((v) => v.consensusAddress === address);
          return (record?.jailed === true && record.jailReason === "downtime") || undefined;
        },
        { timeoutMs: 60_000, intervalMs: 300, description: `${down.name} jailed for downtime` },
      );
    } finally {
      await heartbeats.stop();
    }
    await waitFor(async () => (await cometValidatorCount(nodes[0])) === 3 || undefined, {
      timeoutMs: 30_000,
      description: "CometBFT's validator set down to 3",
    });
    // Back online it follows the chain, but stays out of the set until unjailed.
    await down.start();
    const height = (await nodes[0].height())! + 2;
    await testnet.waitForHeight(height, [nodes[0], down], 60_000);
    expect(await cometValidatorCount(down)).to.equal(3);
  });

  it("slashes and jails a validator whose key signs twice, and the set shrinks", async () => {
    const cheater = nodes[1];
    const address = consensusAddress(cheater);
    const twin = await testnet.addTwin(1, equivocatingSidecarLauncher);
    let record: AppValidator;
    try {
      record = await waitFor(
        async () => {
          if (twin.cometbft?.exited() === true) throw new Error(`twin exited:\n${twin.cometbft.logTail()}`);
          const found = (await appValidators(nodes[0])).find((v) => v.consensusAddress === address);
          return found?.jailed === true && found.jailReason === "double_sign" ? found : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500, description: `${cheater.name} jailed for a duplicate vote` },
      );
    } finally {
      // With node2 jailed, three equal validators need all three votes (2 of 3 is not more than 2/3), so a twin
      // still splitting node1's votes can hold up the two blocks before the jail takes effect in CometBFT.
      await twin.stop();
    }
    expect(BigInt(record.deposit) < initialDeposit, `deposit ${record.deposit} after the slash`).to.equal(
      true,
    );
    await waitFor(async () => (await cometValidatorCount(nodes[0])) === 2 || undefined, {
      timeoutMs: 60_000,
      description: "CometBFT's validator set down to 2",
    });
  });

  it("restarts a sidecar killed with -9 under load, and it agrees on the app hash at a common height", async () => {
    // node2, jailed above, still follows the chain as a full node; crashing it leaves the two-validator set live.
    const victim = nodes[2];
    // A steady, modest rate: txs in flight at the kill, light enough for two shared cores.
    const load = new TransferLoad(CHAIN_ID, senders, () => [nodes[0].rpcUrl, nodes[3].rpcUrl], 30);
    load.start();
    try {
      await waitFor(() => load.stats.accepted >= 40 || undefined, {
        timeoutMs: 30_000,
        description: "40 txs accepted",
      });
      await victim.kill("sidecar");
      // CometBFT cannot go on without its app; it stops itself (or we stop it) before the restart.
      await victim.waitForCometbftExit().catch(() => victim.kill("cometbft"));
      const acceptedAtKill = load.stats.accepted;
      await waitFor(() => load.stats.accepted >= acceptedAtKill + 40 || undefined, {
        timeoutMs: 30_000,
        description: "40 more txs with node2 down",
      });
      await victim.start();
      await load.stop();
      const target =
        Math.max(...(await Promise.all([nodes[0], nodes[3]].map((n) => n.height()))).map((h) => h ?? 0)) + 2;
      await testnet.waitForHeight(target, nodes, 90_000);
      const hashes = await testnet.appHashesAfter(target, nodes);
      expect(new Set(hashes).size, `app hashes at ${target}: ${hashes.join(", ")}`).to.equal(1);
      await testnet.waitForCaughtUp();
    } finally {
      await load.stop();
    }
    expect(load.stats.accepted).to.be.greaterThan(80);
  });
});
