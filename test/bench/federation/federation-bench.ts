// Benchmark (not part of npm test): federation on a 4-validator CometBFT testnet with 1 s blocks, one cluster per
// validator (its own control plane and operator process) and one independent validator.
// 1. apply → Running for N contracts placed Local vs N placed on Others, in one run: p50/p99 and their ratio
//    (goal: remote ≤ 1.5× local).
// 2. whole-cluster failover, K times: the cluster running a contract is SIGKILLed with its validator; the time until
//    the home object shows it Running elsewhere (goal ≤ 30 s). A fresh cluster replaces each dead one.
//   npx tsx test/bench/federation/federation-bench.ts [--contracts 10] [--kills 5]
import { Wallet } from "ethers";
import { ChainClient } from "../../../chain-sidecar/client/chain-client.js";
import { buildUranusGenesis } from "../../../chain-sidecar/genesis/validator-homes.js";
import { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import { uranusSidecarLauncher } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import type { ComputeContract } from "../../../crds/types.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import { waitFor } from "../../../process/wait-for.js";
import {
  createPayerNamespace,
  MEMBER_FUNDS,
  memberContract,
  memberKeys,
  startMemberCluster,
  type MemberCluster,
} from "../../support/member-cluster.js";
import { numericFlag } from "../numeric-flag.js";

const CONTRACTS = numericFlag("contracts", 10);
const KILLS = numericFlag("kills", 5);
const APPS = "apps";
const BLOCK_MS = 1000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const summary = (values: number[]): { p50: number; p99: number } => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: Number(percentile(sorted, 50).toFixed(2)), p99: Number(percentile(sorted, 99).toFixed(2)) };
};

// Cluster keys for the first three and for every replacement. Validator i is operated by cluster i's operator, and a
// replacement joining on validator i uses that operator too, so the chain sees a whole cluster's silence twice.
const keys = Array.from({ length: 3 + KILLS }, () => memberKeys());
const validatorOperators = keys.slice(0, 3).map((k) => k.operator);
const genesisAccounts = keys
  .flatMap((k) => k.accounts)
  .filter((a) => !validatorOperators.some((w) => w.address === a.address));
const payer = new Wallet(Wallet.createRandom().privateKey);
const testnet = await Testnet.create({
  validators: 4,
  launcher: uranusSidecarLauncher,
  chainId: "uranus-federation-bench",
  timeoutCommitMs: BLOCK_MS,
  roundTimeoutMs: 1000,
  appGenesis: (_chainId, validators) =>
    buildUranusGenesis(validators, {
      operators: validatorOperators,
      operatorBalance: MEMBER_FUNDS,
      accounts: [...genesisAccounts, { address: payer.address, balance: MEMBER_FUNDS }],
      params: {
        market: { meteringIntervalSeconds: 30 },
        poc: { heartbeatWindowBlocks: 300 },
        federation: { heartbeatTimeoutBlocks: 10 },
      },
    }),
});
const members: MemberCluster[] = [];
const cleanUp = async (): Promise<void> => {
  for (const member of members) await member.stop().catch(() => undefined);
  await testnet.destroy();
};
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    void cleanUp().finally(() => process.exit(130));
  });

try {
  await testnet.start();
  const chain = await ChainClient.connect(testnet.nodes[0]!.rpcUrl);
  /** Which validator each member talks to (the member at index i of `members`). */
  const validatorOf = new Map<MemberCluster, number>();
  let nextKey = 0;
  const addMember = async (validator: number): Promise<MemberCluster> => {
    const id = `cluster-${nextKey + 1}`;
    const own = keys[nextKey++]!;
    const member = await startMemberCluster(
      testnet.nodes[validator]!.rpcUrl,
      id,
      { ...own, operator: validatorOperators[validator]! },
      { operatorProcess: true },
    );
    members.push(member);
    validatorOf.set(member, validator);
    return member;
  };
  const home = await addMember(0);
  await Promise.all([addMember(1), addMember(2)]);
  await createPayerNamespace(home, APPS, payer);
  const onlineWithCapacity = async (n: number): Promise<void> => {
    await waitFor(
      async () =>
        (await chain.federation.clusters()).filter((c) => c.online && c.freeScu > 0).length >= n
          ? true
          : undefined,
      { timeoutMs: 180_000, intervalMs: 500, description: `${n} member clusters online` },
    );
  };
  await onlineWithCapacity(3);

  const status = async (name: string): Promise<ComputeContract["status"]> =>
    (await home.client.get<ComputeContract>(COMPUTE_CONTRACT, { namespace: APPS, name })).status;
  const running = (s: ComputeContract["status"]): boolean => s?.phase === "Running" && s.readyReplicas === 1;

  // 1. Local and remote contracts applied together, so both see the same machine.
  const started = new Map<string, number>();
  const names = Array.from({ length: CONTRACTS }, (_, i) => [`local-${i}`, `remote-${i}`]).flat();
  for (const name of names) {
    started.set(name, performance.now());
    await home.client.create(
      COMPUTE_CONTRACT,
      memberContract(name, APPS, name.startsWith("local") ? "Local" : "Others"),
    );
  }
  const seconds = new Map<string, number>();
  await waitFor(
    async () => {
      for (const name of names) {
        if (seconds.has(name)) continue;
        if (running(await status(name))) seconds.set(name, (performance.now() - started.get(name)!) / 1000);
      }
      return seconds.size === names.length ? true : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 250, description: "every contract Running" },
  );
  const local = summary(names.filter((n) => n.startsWith("local")).map((n) => seconds.get(n)!));
  const remote = summary(names.filter((n) => n.startsWith("remote")).map((n) => seconds.get(n)!));

  // 2. Whole-cluster failovers of one remote contract.
  const failovers: number[] = [];
  for (let kill = 0; kill < KILLS; kill++) {
    const before = (await status("remote-0"))!.placement!.cluster!;
    const holder = members.find((m) => m.clusterId === before)!;
    const validator = validatorOf.get(holder)!;
    const killedAt = performance.now();
    holder.kill();
    await testnet.nodes[validator]!.kill("both");
    await waitFor(
      async () => {
        const s = await status("remote-0");
        return running(s) && s?.placement?.cluster !== before ? true : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 250, description: `remote-0 running again after ${before} died` },
    );
    failovers.push((performance.now() - killedAt) / 1000);
    console.error(`failover ${kill + 1}: ${failovers.at(-1)!.toFixed(1)} s (${before} died)`);
    // The dead cluster's validator comes back and a fresh cluster joins on it, so there is always somewhere to go.
    await holder.stop();
    members.splice(members.indexOf(holder), 1);
    await testnet.nodes[validator]!.start();
    await addMember(validator);
    await onlineWithCapacity(3);
  }

  const figures = {
    blockMs: BLOCK_MS,
    contractsEach: CONTRACTS,
    localApplyToRunningSeconds: local,
    remoteApplyToRunningSeconds: remote,
    remoteToLocalRatioP50: Number((remote.p50 / local.p50).toFixed(2)),
    failovers: failovers.map((f) => Number(f.toFixed(1))),
    failoverSeconds: summary(failovers),
  };
  console.log(JSON.stringify(figures, null, 2));
  console.log(
    `remote/local apply→Running p50 ${figures.remoteToLocalRatioP50} (goal ≤ 1.5), ` +
      `failover p50 ${figures.failoverSeconds.p50} s p99 ${figures.failoverSeconds.p99} s over ${KILLS} kills (goal ≤ 30 s)`,
  );
  chain.disconnect();
} finally {
  await cleanUp();
}
