// The README's run command end to end: `npm run demo` (bash hack/demo.sh → uranus up) starts every component,
// reaches "all Running and settled" with real settlements on chain, and leaves nothing behind on SIGINT.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ChainClient } from "../../chain-sidecar/client/chain-client.js";
import { binaryPath } from "../../process/binaries.js";
import { startControlPlane } from "../../local-cluster/control-plane.js";
import { run } from "../../process/run-command.js";
import { waitFor } from "../../process/wait-for.js";
import { ChainReader } from "../../operator/chain/chain-reader.js";
import { dashboardMetricNames, servedMetricNames } from "../support/dashboard-metrics.js";
import { processesMentioning } from "../support/process-probes.js";
import { WEB_PAGE } from "../../local-cluster/images/uranus-images.js";
import { realNodeUnsupportedReason } from "../../local-cluster/real-node/support.js";
import { expectMachineAsBefore, snapshotHost } from "../integration/real-node/host-snapshot.js";

interface RunningDemo {
  child: ChildProcess;
  output: () => string;
  exited: Promise<string>;
}

/** Started in its own process group, so SIGINT to the group is what a terminal's Ctrl-C does. */
function startDemo(command: string, args: string[], kubeconfig?: string): RunningDemo {
  const env = { ...process.env };
  delete env.KUBECONFIG;
  if (kubeconfig !== undefined) env.KUBECONFIG = kubeconfig;
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((resolve) =>
    child.once("exit", (code, signal) => resolve(`${code} ${signal}`)),
  );
  return { child, output: () => output, exited };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** After a failed test too: Ctrl-C first so the demo stops its own children, then kill whatever is left. */
async function ensureStopped(demo: RunningDemo): Promise<void> {
  const pgid = demo.child.pid!;
  if (groupAlive(pgid)) {
    process.kill(-pgid, "SIGINT");
    await Promise.race([demo.exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  }
  if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
  const stateDir = /state and logs in ([^\s"]+)/.exec(demo.output())?.[1];
  if (stateDir === undefined) return;
  for (const line of processesMentioning(stateDir)) {
    try {
      process.kill(Number(line.split(" ")[0]), "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
}

async function waitForOutput(demo: RunningDemo, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  try {
    return await waitFor(
      async () => {
        const match = pattern.exec(demo.output());
        if (match !== null) return match;
        if (await Promise.race([demo.exited.then(() => true), Promise.resolve(false)]))
          throw new Error(`the demo exited before ${what}`);
        return undefined;
      },
      { timeoutMs: 240_000, intervalMs: 250, description: what },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; the demo's output:\n${demo.output()}`);
  }
}

/** The chain's own record: every contract open, at least one pod billed for metered seconds. */
async function assertSettledOnChain(rpcUrl: string, contractIds: string[], podUids: string[]): Promise<void> {
  const client = await ChainClient.connect(rpcUrl);
  try {
    const reader = new ChainReader(client);
    for (const id of contractIds) {
      const contract = await reader.market.contract(id);
      expect(contract, `contract ${id} on chain`).to.not.equal(undefined);
      expect(contract!.state, `contract ${id}`).to.equal("open");
    }
    const settlements = await Promise.all(podUids.map((uid) => reader.metering.settlement(uid)));
    const billed = settlements.filter((s) => s !== undefined && s.seconds > 0);
    expect(billed.length, "pods with a settlement on chain").to.be.at.least(1);
    expect(billed.every((s) => contractIds.includes(s!.contractId))).to.equal(true);
  } finally {
    client.disconnect();
  }
}

/** Every metric the Grafana dashboard's queries name is served by one of the running components. */
async function expectDashboardServed(urls: string[]): Promise<Set<string>> {
  const served = new Set<string>();
  for (const url of urls) {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    expect(response.status, url).to.equal(200);
    for (const name of servedMetricNames(await response.text())) served.add(name);
  }
  const wanted = dashboardMetricNames();
  expect(wanted, "the dashboard's metrics")
    .to.include("cometbft_consensus_height")
    .and.have.length.at.least(10);
  expect(
    wanted.filter((name) => !served.has(name)),
    "dashboard metrics no component serves",
  ).to.deep.equal([]);
  return served;
}

describe("the run command (npm run demo → uranus up)", function () {
  this.timeout(360_000);

  it("runs control plane, CometBFT chain, extender and operator until every contract is Running and settled, and stops everything on SIGINT", async () => {
    const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> })
      .scripts;
    // exec, so npm's shell gives way and a SIGTERM npm forwards reaches `uranus up` (dash would die and leave it running).
    expect(scripts.demo).to.equal("exec bash hack/demo.sh");
    // What `npm run demo` runs, started directly: npm's own signal handling differs between a terminal and a pipe.
    const unsupported = realNodeUnsupportedReason();
    const machine = snapshotHost();
    const spawnedAt = performance.now();
    const demo = startDemo("bash", ["hack/demo.sh"]);
    try {
      const stateDir = (await waitForOutput(demo, /state and logs in ([^\s"]+)/, "the state directory"))[1]!;
      const seconds = Number(
        (await waitForOutput(demo, /all Running and settled in ([\d.]+) s/, '"all Running and settled"'))[1],
      );
      const sinceSpawn = (performance.now() - spawnedAt) / 1000;
      await waitForOutput(demo, /ready; press Ctrl-C/, '"ready"');
      console.log(
        `      all Running and settled ${seconds.toFixed(1)} s after \`uranus up\` started ` +
          `(${sinceSpawn.toFixed(1)} s after \`bash hack/demo.sh\`, dependency check included)`,
      );
      // The summary tables: contracts with their escrow, contributors with their PoC.
      await waitForOutput(demo, /escrow spent/, "the contracts table");
      await waitForOutput(demo, /PoC total/, "the contributors table");
      // Where the machine can, web-service runs on the real node and its Service answers the curl printed.
      if (unsupported === undefined) {
        const url = (await waitForOutput(demo, /curl: +curl -s (\S+)/, "the curl of web-service"))[1]!;
        expect(await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text()).to.equal(WEB_PAGE);
      } else await waitForOutput(demo, /no real nodes, kwok nodes only: /, "why there is no real node");
      const rpcUrl = (await waitForOutput(demo, /chain RPC: +(\S+)/, "the chain RPC"))[1]!;
      const explorerUrl = (await waitForOutput(demo, /explorer: +(\S+)/, "the explorer URL"))[1]!;
      const kubeconfig = (await waitForOutput(demo, /export KUBECONFIG=([^\s;]+)/, "the kubeconfig"))[1]!;
      expect(kubeconfig.startsWith(stateDir)).to.equal(true);
      const metricsLine = (await waitForOutput(demo, /metrics: +(.+)/, "the metrics URLs"))[1]!;
      const served = await expectDashboardServed(
        metricsLine.split(/\s+/).filter((word) => word.startsWith("http")),
      );
      // The README's metric families of the operator's chain gateway and metering loop.
      expect([...served]).to.include.members(["uranus_chain_txs_total", "uranus_metering_batches_total"]);

      const started = processesMentioning(stateDir);
      for (const name of ["etcd", "kube-apiserver", "kube-scheduler", "kwok", "cometbft", "sidecar-main"])
        expect(
          started.some((line) => line.includes(name)),
          `${name} running`,
        ).to.equal(true);
      expect((await fetch(explorerUrl)).status).to.equal(200);
      // The README: where the demo's logs are, under the state directory.
      const logs = [
        "logs/operator.log",
        "logs/scheduler-extender.log",
        "control-plane/logs/kube-apiserver.log",
        ...readdirSync(join(stateDir, "chain"), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .flatMap((entry) => [`chain/${entry.name}/cometbft.log`, `chain/${entry.name}/sidecar.log`]),
      ];
      expect(logs.filter((log) => log.startsWith("chain/"))).to.have.length(2);
      for (const log of logs) expect(existsSync(join(stateDir, log)), log).to.equal(true);

      const kubectl = (args: string[]) => run(binaryPath("kubectl"), ["--kubeconfig", kubeconfig, ...args]);
      const phases = await kubectl([
        "get",
        "computecontracts",
        "-A",
        "-o",
        "jsonpath={range .items[*]}{.status.phase} {.status.contractId}{'\\n'}{end}",
      ]);
      const rows = phases.stdout.trim().split("\n");
      expect(rows).to.have.length(4);
      for (const row of rows) expect(row).to.match(/^Running [0-9a-f]{20}$/);
      const pods = await kubectl([
        "get",
        "pods",
        "-A",
        "-l",
        "uranus.io/contract",
        "-o",
        "jsonpath={range .items[*]}{.metadata.uid} {.status.phase}{'\\n'}{end}",
      ]);
      const podRows = pods.stdout.trim().split("\n");
      expect(podRows.every((row) => row.endsWith(" Running"))).to.equal(true);
      await assertSettledOnChain(
        rpcUrl,
        rows.map((row) => row.split(" ")[1]!),
        podRows.map((row) => row.split(" ")[0]!),
      );

      process.kill(-demo.child.pid!, "SIGINT");
      expect(await demo.exited, demo.output()).to.equal("0 null");
      expect(demo.output()).to.contain("stopping the local control plane");
      expect(processesMentioning(stateDir)).to.deep.equal([]);
      expect(existsSync(stateDir)).to.equal(false);
      // The real node's processes, mounts, sysctls, iptables, links and routes: all as before.
      expectMachineAsBefore(machine);
    } finally {
      await ensureStopped(demo);
    }
  });

  it("--chain solo --output json: the in-process chain, JSON events up to ready, and a clean stop on SIGTERM", async () => {
    const demo = startDemo(process.execPath, ["cli/uranus.js", "--output", "json", "up", "--chain", "solo"]);
    try {
      const ready = await waitForOutput(demo, /^\{"event":"ready".*\}$/m, "the ready event");
      const event = JSON.parse(ready[0]) as {
        stateDir: string;
        rpcUrl: string;
        metrics: Record<string, string>;
        secondsToSettled: number;
        status: { contracts: { phase: string; contractId: string }[]; settledPods: number };
      };
      console.log(`      solo chain: all Running and settled after ${event.secondsToSettled} s`);
      expect(event.status.contracts).to.have.length(4);
      expect(event.status.contracts.every((c) => c.phase === "Running")).to.equal(true);
      expect(event.status.settledPods).to.be.at.least(1);
      await expectDashboardServed(Object.values(event.metrics));
      expect(demo.output())
        .to.match(/^\{"event":"step"/m)
        .and.to.match(/^\{"event":"status"/m);
      // The solo chain runs in the command; its log is the state directory's logs/chain.log.
      expect(existsSync(join(event.stateDir, "logs", "chain.log"))).to.equal(true);
      // Solo runs inside the command: no CometBFT process.
      expect(processesMentioning(event.stateDir).some((line) => line.includes("cometbft start"))).to.equal(
        false,
      );
      const client = await ChainClient.connect(event.rpcUrl);
      try {
        const reader = new ChainReader(client);
        // A first settlement of a few seconds can round down to no whole token (the rest is carried): the escrow
        // shows the spending by the next metering interval at the latest.
        let spent: bigint[] = [];
        await waitFor(
          async () => {
            spent = await Promise.all(
              event.status.contracts.map(
                async (c) => (await reader.market.contract(c.contractId))?.spent ?? 0n,
              ),
            );
            return spent.some((amount) => amount > 0n);
          },
          { timeoutMs: 40_000, intervalMs: 500, description: "escrow spent on chain" },
        ).catch(() => undefined);
        expect(
          spent.some((amount) => amount > 0n),
          `escrow spent per contract: ${spent.join(", ")}`,
        ).to.equal(true);
      } finally {
        client.disconnect();
      }

      process.kill(-demo.child.pid!, "SIGTERM");
      expect(await demo.exited, demo.output()).to.equal("0 null");
      for (const line of demo.output().trim().split("\n"))
        expect(() => JSON.parse(line) as unknown).to.not.throw();
      expect(processesMentioning(event.stateDir)).to.deep.equal([]);
      expect(existsSync(event.stateDir)).to.equal(false);
    } finally {
      await ensureStopped(demo);
    }
  });

  it("with KUBECONFIG: uses that cluster (the demo's own kwok), and on SIGINT takes the demo out of it and leaves the cluster running", async () => {
    const cluster = await startControlPlane();
    const demo = startDemo(
      process.execPath,
      ["cli/uranus.js", "up", "--chain", "solo", "--nodes", "1"],
      cluster.kubeconfigPath,
    );
    try {
      const stateDir = (await waitForOutput(demo, /state and logs in ([^\s"]+)/, "the state directory"))[1]!;
      await waitForOutput(demo, /ready; press Ctrl-C/, '"ready"');
      expect(demo.output()).to.contain(`using the cluster in KUBECONFIG=${cluster.kubeconfigPath}`);
      expect(demo.output()).to.not.contain("control plane: starting etcd");
      expect(processesMentioning(stateDir).some((line) => line.includes("kwok"))).to.equal(true);
      const kubectl = (args: string[]) =>
        run(binaryPath("kubectl"), ["--kubeconfig", cluster.kubeconfigPath, ...args]);
      const phases = await kubectl([
        "get",
        "computecontracts",
        "-A",
        "-o",
        "jsonpath={.items[*].status.phase}",
      ]);
      expect(phases.stdout.split(" ")).to.deep.equal(["Running", "Running", "Running", "Running"]);

      process.kill(-demo.child.pid!, "SIGINT");
      expect(await demo.exited, demo.output()).to.equal("0 null");
      expect(processesMentioning(stateDir)).to.deep.equal([]);
      expect(existsSync(stateDir)).to.equal(false);
      const left = await kubectl([
        "get",
        "computecontracts,contributornodes,powercontainers",
        "-A",
        "-o",
        "name",
      ]);
      expect(left.code, left.stderr).to.equal(0);
      expect(left.stdout.trim()).to.equal("");
      const nodes = await kubectl(["get", "nodes", "-o", "name"]);
      expect(nodes.stdout.trim()).to.equal("");
    } finally {
      await ensureStopped(demo);
      await cluster.stop();
    }
  });

  it("a component that dies (CometBFT, kill -9) ends the run with an error naming it, and stops everything else", async () => {
    // With the state directory and metering interval chosen on the command line.
    const parent = mkdtempSync(join(tmpdir(), "uranus-up-chosen-"));
    const chosen = join(parent, "state");
    const demo = startDemo(process.execPath, [
      "cli/uranus.js",
      "up",
      "--nodes",
      "1",
      "--state-dir",
      chosen,
      "--metering-interval",
      "7s",
    ]);
    try {
      const stateDir = (await waitForOutput(demo, /state and logs in ([^\s"]+)/, "the state directory"))[1]!;
      expect(stateDir).to.equal(chosen);
      await waitForOutput(demo, /ready; press Ctrl-C/, '"ready"');
      const rpcUrl = (await waitForOutput(demo, /chain RPC: +(\S+)/, "the chain RPC"))[1]!;
      const client = await ChainClient.connect(rpcUrl);
      try {
        const params = (await client.params()) as unknown as { market: { meteringIntervalSeconds: number } };
        expect(params.market.meteringIntervalSeconds).to.equal(7);
      } finally {
        client.disconnect();
      }
      const cometbft = processesMentioning(stateDir).filter((line) => line.includes("cometbft start"));
      expect(cometbft).to.have.length(1);
      process.kill(Number(cometbft[0]!.split(" ")[0]), "SIGKILL");

      expect(await demo.exited).to.equal("1 null");
      expect(demo.output()).to.match(/uranus: node0-cometbft failed: exited \(signal SIGKILL\)/);
      expect(demo.output()).to.match(/last lines of \S*cometbft\.log/);
      expect(demo.output()).to.contain("stopping the local control plane");
      expect(processesMentioning(stateDir)).to.deep.equal([]);
      expect(existsSync(stateDir)).to.equal(false);
    } finally {
      await ensureStopped(demo);
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
