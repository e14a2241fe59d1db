import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { ChainClient } from "../../../../../chain-sidecar/client/chain-client.js";
import {
  ClusterHeartbeatMsg,
  OpenOrderMsg,
  RegisterClusterMsg,
} from "../../../../../chain-sidecar/modules/federation/federation-messages.js";
import {
  MeteringBatchMsg,
  type MeterRecord,
} from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { runCli } from "../../cli-runner.js";
import { testWallets } from "../../app-harness.js";
import { cliAgainstSoloChain } from "../../cli/cli-against-solo-chain.js";
import { clusterOffer, orderTerms } from "../federation/federation-fixtures.js";
import { batchOf, meterRecord } from "./economy-fixtures.js";

describe("uranus tx contract|node|params and uranus query contract|contributor|poc|pod|cluster|order against a solo chain", function () {
  this.timeout(120_000);
  const { payer, owner, validator } = testWallets("cli-econ", "payer", "owner", "validator");
  const accounts = [payer, owner, validator].map((w) => ({ address: w.address, balance: 50_000_000n }));
  const cli = cliAgainstSoloChain({
    tempPrefix: "uranus-econ-cli-",
    password: "economy cli password",
    genesis: { accounts },
    validatorOperator: validator.address,
  });
  const { node, tx } = cli;
  let contractId: string;

  const json = async <T>(args: string[]): Promise<T> => {
    const run = await cli.queryJson(args);
    expect(run.code, run.stderr).to.equal(0);
    return JSON.parse(run.stdout) as T;
  };

  /** `uranus tx contract open` by the payer for an hour at 4000 per SCU-hour, with JSON output. */
  const openContract = async (args: string[]) =>
    runCli([
      ...node(),
      "--output",
      "json",
      "tx",
      ...cli.keyring,
      "contract",
      "open",
      "--max-price",
      "4000",
      "--duration",
      "1h",
      ...args,
      "--from",
      "payer",
    ]);

  /** The node's owner bills the pod's first second of its lease, as the operator's metering would. */
  const billOneSecond = async (podUid: string, usage: Partial<MeterRecord> = {}, id = contractId) => {
    const view = await json<{ leases: { podUid: string; startedAt: number }[] }>(["contract", id]);
    const started = view.leases.find((l) => l.podUid === podUid)!.startedAt;
    const client = await ChainClient.connect(cli.chain.rpcUrl);
    try {
      const records = [meterRecord(podUid, id, "node-cli", started, started + 1, usage)];
      await client.submit(new Wallet(owner.privateKey), MeteringBatchMsg, batchOf(owner.address, records));
    } finally {
      client.disconnect();
    }
  };

  before(async () => {
    for (const [name, wallet] of [
      ["payer", payer],
      ["owner", owner],
      ["validator", validator],
    ] as const) {
      writeFileSync(join(cli.dir, `${name}.key`), `${wallet.privateKey}\n`);
      const imported = await runCli([
        "keys",
        ...cli.keyring,
        "import",
        name,
        "--private-key-file",
        join(cli.dir, `${name}.key`),
        "--scrypt-n",
        "1024",
      ]);
      expect(imported.code, imported.stderr).to.equal(0);
    }
  });

  it("registers a node and shows it with its PoC scores", async () => {
    const run = await tx(
      [
        "node",
        "register",
        "node-cli",
        "--region",
        "eu-west",
        "--cpu",
        "8000",
        "--memory",
        "34359738368",
        "--price",
        "3600",
      ],
      "owner",
    );
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/committed in block \d+/);
    const shown = await cli.query(["contributor", "node-cli"]);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.contain("online").and.contain("PoC total");
    const beat = await tx(["node", "heartbeat", "node-cli"], "owner");
    expect(beat.code, beat.stderr).to.equal(0);
    const listed = await json<{ nodeId: string; online: boolean }[]>(["contributors"]);
    expect(listed.map((n) => n.nodeId)).to.deep.equal(["node-cli"]);
  });

  it("opens a contract, prints its id, records a lease, tops up and closes with a refund", async () => {
    const opened = await openContract(["--scu", "2", "--budget", "100_000", "--region", "eu-west"]);
    expect(opened.code, opened.stderr).to.equal(0);
    contractId = (JSON.parse(opened.stdout) as { contract: string }).contract;
    expect(contractId).to.match(/^[0-9a-f]{20}$/);
    const view = await json<{ contract: { state: string; escrow: { remaining: string } } }>([
      "contract",
      contractId,
    ]);
    expect(view.contract.state).to.equal("open");
    expect(view.contract.escrow.remaining).to.equal("100000");

    const lease = await tx(["contract", "lease", contractId, "0", "node-cli", "pod-cli-1"], "payer");
    expect(lease.code, lease.stderr).to.equal(0);
    const text = await cli.query(["contract", contractId]);
    expect(text.stdout).to.contain("pod-cli-1").and.contain("escrow");
    await billOneSecond("pod-cli-1");
    const pod = await json<{ podUid: string; contractId: string; seconds: number; charged: string }>([
      "pod",
      "pod-cli-1",
    ]);
    expect(pod).to.deep.include({ podUid: "pod-cli-1", contractId, seconds: 1 });
    expect(BigInt(pod.charged) > 0n, "2 SCU at 3600 per SCU-hour for a second").to.equal(true);
    const podText = await cli.query(["pod", "pod-cli-1"]);
    expect(podText.code, podText.stderr).to.equal(0);
    expect(podText.stdout)
      .to.match(/seconds\s+1\b/)
      .and.match(/contributor\s+0x[0-9a-f]{40}/);
    expect((await tx(["contract", "topup", contractId, "500"], "payer")).code).to.equal(0);
    expect((await tx(["contract", "close", contractId], "payer")).code).to.equal(0);
    const closed = await json<{ contract: { state: string; escrow: { refunded: string } } }>([
      "contract",
      contractId,
    ]);
    expect(closed.contract.state).to.equal("closed");
    expect(closed.contract.escrow.refunded, "all but the billed second").to.equal(
      (100_500n - BigInt(pod.charged)).toString(),
    );
    expect((await json<{ activeLeases: number }>(["contributor", "node-cli"])).activeLeases).to.equal(0);
  });

  it("opens a pay-for-use contract and shows its billing and each pod's used CPU and memory", async () => {
    const opened = await openContract(["--scu", "2", "--budget", "100_000", "--billing", "used"]);
    expect(opened.code, opened.stderr).to.equal(0);
    const id = (JSON.parse(opened.stdout) as { contract: string }).contract;
    expect((await cli.query(["contract", id])).stdout).to.match(/billing\s+used/);
    const lease = await tx(["contract", "lease", id, "0", "node-cli", "pod-cli-used"], "payer");
    expect(lease.code, lease.stderr).to.equal(0);
    await billOneSecond("pod-cli-used", { cpuMillicores: 1_500n, memoryBytes: 1n << 30n }, id);
    const podText = await cli.query(["pod", "pod-cli-used"]);
    expect(podText.code, podText.stderr).to.equal(0);
    expect(podText.stdout)
      .to.match(/billing\s+used/)
      .and.match(/measuredSeconds\s+1\b/)
      .and.match(/cpuCoreSeconds\s+1\.500\b/)
      .and.match(/memoryGiBSeconds\s+1\.000\b/)
      .and.match(/charged\s+1\b/);
    const listed = await cli.query(["settlements", "--contract", id]);
    expect(listed.stdout).to.contain("CPU core-s").and.contain("1.500");
    const wrong = await openContract(["--scu", "1", "--budget", "1000", "--billing", "hourly"]);
    expect(wrong.code).to.not.equal(0);
    expect(wrong.stderr).to.contain("reserved").and.contain("used");
  });

  it("resizes a contract (a refusal names the code) and lists its breaches", async () => {
    const opened = await openContract(["--scu", "1", "--budget", "1000", "--replicas", "1"]);
    expect(opened.code, opened.stderr).to.equal(0);
    const id = (JSON.parse(opened.stdout) as { contract: string }).contract;
    expect((await tx(["contract", "resize", id, "3"], "payer")).code).to.equal(0);
    expect((await json<{ contract: { replicas: number } }>(["contract", id])).contract.replicas).to.equal(3);
    const short = await tx(["contract", "resize", id, "20"], "payer");
    expect(short.code).to.not.equal(0);
    expect(short.stderr).to.contain("INSUFFICIENT_FUNDS").and.contain("ResizeContract.replicas");
    const lease = await tx(["contract", "lease", id, "0", "node-cli", "pod-breached"], "payer");
    expect(lease.code, lease.stderr).to.equal(0);
    const breach = await tx(
      ["contract", "breach", id, "0", "node-cli", "pod-breached", "availability", "--seconds", "42"],
      "payer",
    );
    expect(breach.code, breach.stderr).to.equal(0);
    expect(await json<unknown[]>(["breaches", id])).to.deep.equal([
      { podUid: "pod-breached", kind: "availability", nodeId: "node-cli", replica: 0, seconds: 42 },
    ]);
    const table = await cli.query(["breaches", id]);
    expect(table.stdout).to.match(/pod-breached\W+availability\W+node-cli\W+0\W+42/);
  });

  it("opens once per client reference: found by payer and reference, a repeat refused as DUPLICATE naming it", async () => {
    const open = async (more: string[] = []) =>
      openContract([
        "--scu",
        "1",
        "--budget",
        "50_000",
        "--ref",
        "0d8f5a0e-5f52-4b4e-9a57-0c1d2e3f4a5b",
        ...more,
      ]);
    const first = await open();
    expect(first.code, first.stderr).to.equal(0);
    const printed = JSON.parse(first.stdout) as { contract: string; ref: string };
    expect(printed.ref).to.equal("0d8f5a0e-5f52-4b4e-9a57-0c1d2e3f4a5b");
    const found = await json<{ contract: { id: string; clientRef: string } }>([
      "contract",
      "--payer",
      payer.address,
      "--ref",
      printed.ref,
    ]);
    expect(found.contract.id).to.equal(printed.contract);
    expect(found.contract.clientRef).to.equal(printed.ref);
    const balance = async () => (await json<{ balance: string }>(["account", payer.address])).balance;
    const before = await balance();
    const repeat = await open();
    expect(repeat.code).to.equal(1);
    expect(repeat.stderr).to.contain("DUPLICATE").and.contain(`contract ${printed.contract}`);
    expect(await balance(), "a refused repeat moves no budget").to.equal(before);
    const elsewhere = await open(["--cluster", "cluster-b"]);
    expect(elsewhere.code, `the same reference from another cluster: ${elsewhere.stderr}`).to.equal(0);
    const other = (JSON.parse(elsewhere.stdout) as { contract: string }).contract;
    expect(other).to.not.equal(printed.contract);
    const foundOther = await json<{ contract: { id: string; clusterId: string } }>([
      "contract",
      "--payer",
      payer.address,
      "--ref",
      printed.ref,
      "--cluster",
      "cluster-b",
    ]);
    expect(foundOther.contract).to.deep.include({ id: other, clusterId: "cluster-b" });
    const both = await cli.query(["contract", printed.contract, "--ref", printed.ref]);
    expect(both.code).to.not.equal(0);
    expect(both.stderr).to.contain("not both");
  });

  it("reports the chain's refusal with its code and field", async () => {
    const again = await tx(["contract", "close", contractId], "payer");
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain("WRONG_STATE").and.contain("CloseContract.contractId");
    const badDuration = await tx(
      ["contract", "open", "--scu", "1", "--max-price", "1", "--budget", "1", "--duration", "soon"],
      "payer",
    );
    expect(badDuration.code).to.not.equal(0);
    expect(badDuration.stderr).to.contain("--duration");
  });

  it("shows a federation cluster and the order it was assigned, through the CLI and the client", async () => {
    const client = await ChainClient.connect(cli.chain.rpcUrl);
    try {
      const operator = new Wallet(owner.privateKey);
      const member = { wallet: operator, address: operator.address.toLowerCase() };
      await client.submit(operator, RegisterClusterMsg, clusterOffer("cli-cluster", member));
      await client.submit(operator, ClusterHeartbeatMsg, { clusterId: "cli-cluster", freeScu: 8n });
      const outcome = await client.submit(
        new Wallet(payer.privateKey),
        OpenOrderMsg,
        orderTerms("cli-cluster"),
      );
      const opened = outcome.events.find((e) => e.type === "order_opened")!;
      const id = opened.attributes.find((a) => a.key === "contract")!.value;
      const shown = await json<{ id: string; operator: string; online: boolean }>(["cluster", "cli-cluster"]);
      expect(shown).to.deep.include({ id: "cli-cluster", operator: member.address, online: true });
      const order = await json<{ state: string; assignedCluster: string; epoch: number }>(["order", id]);
      expect(order).to.deep.include({ state: "assigned", assignedCluster: "cli-cluster", epoch: 1 });
      expect((await client.federation.cluster("cli-cluster"))?.freeScu).to.equal(6);
      expect(await client.federation.cluster("nowhere")).to.equal(undefined);
      expect((await client.federation.order(id))?.epoch).to.equal(1);
      expect((await client.federation.clusters()).map((c) => c.id)).to.deep.equal(["cli-cluster"]);
      expect((await client.federation.ordersOf("cli-cluster")).map((o) => o.contractId)).to.deep.equal([id]);
      expect(await client.federation.openOrders()).to.deep.equal([]);
    } finally {
      client.disconnect();
    }
  });

  it("changes a parameter by validator approval and shows the economy's state", async () => {
    const proposed = await tx(
      ["params", "propose", "metering.feeBps=300", "market.settlementGraceSeconds=600"],
      "validator",
    );
    expect(proposed.code, proposed.stderr).to.equal(0);
    expect(proposed.stdout).to.match(/applied\s+yes/);
    const params = await json<{ metering: { feeBps: number }; market: { settlementGraceSeconds: number } }>([
      "params",
    ]);
    expect(params.metering.feeBps).to.equal(300);
    expect(params.market.settlementGraceSeconds).to.equal(600);
    const proposals = await cli.query(["proposals"]);
    expect(proposals.stdout).to.contain("metering.feeBps=300").and.contain("applied");
    // The node counts as online only within heartbeatWindowBlocks of its last heartbeat; the tests above made blocks.
    const beat = await tx(["node", "heartbeat", "node-cli"], "owner");
    expect(beat.code, beat.stderr).to.equal(0);
    const poc = await json<{ coefficientsPpm: Record<string, string>; supply: { onlineNodes: number } }>([
      "poc",
    ]);
    expect(Object.keys(poc.coefficientsPpm).sort()).to.deep.equal(["bandwidth", "cpu", "memory", "storage"]);
    expect(poc.supply.onlineNodes).to.equal(1);
  });
});
