// `npm run demo -- --clusters 3` end to end, in this process: three clusters (each its own control plane, extender and
// operator) over a four-validator CometBFT testnet; the federated example applied in cluster-1 runs in cluster-2 or
// cluster-3 and is mirrored in cluster-1, the summary says where, and on stop every process and the state go.
import { existsSync } from "node:fs";
import { expect } from "chai";
import { up, type UpResult } from "../../cli/up/up.js";
import { binaryPath } from "../../process/binaries.js";
import { run } from "../../process/run-command.js";
import { waitFor } from "../../process/wait-for.js";
import { pidAlive, processesMentioning } from "../support/process-probes.js";

const FEDERATED = "federated-web";

describe("uranus up --clusters 3: a federation on this machine", function () {
  this.timeout(180_000);

  it("runs the federated example in another cluster, mirrored and named in the summary, and stops everything", async () => {
    let output = "";
    let stop: () => void = () => undefined;
    const until = new Promise<void>((resolve) => (stop = resolve));
    let failure: unknown;
    const running = up({
      clusters: 3,
      nodes: 1,
      chain: "cometbft",
      meteringIntervalMs: 5_000,
      until,
      write: (text) => (output += text),
    });
    running.catch((error: unknown) => (failure = error));
    const printed = async (pattern: RegExp, what: string, timeoutMs: number): Promise<RegExpExecArray> => {
      try {
        return await waitFor(
          () => {
            if (failure !== undefined) throw new Error(`up failed: ${(failure as Error).message}`);
            return pattern.exec(output) ?? undefined;
          },
          { timeoutMs, intervalMs: 250, description: what },
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}; the output:\n${output}`);
      }
    };

    let stateDir: string | undefined;
    const pids: number[] = [];
    let result: UpResult | undefined;
    let placed: string;
    try {
      stateDir = (await printed(/state and logs in (\S+)/, "the state directory", 10_000))[1]!;
      placed = (
        await printed(
          new RegExp(`default/${FEDERATED}, applied in cluster-1, runs in (cluster-\\d)`),
          "the summary's placement of the federated example",
          150_000,
        )
      )[1]!;
      expect(placed).to.be.oneOf(["cluster-2", "cluster-3"]);
      await printed(/ready; press Ctrl-C/, '"ready"', 5_000);
      // The contracts table: applied in cluster-1, running Running in the member.
      expect(output).to.match(new RegExp(`default/${FEDERATED} +│ cluster-1 +│ ${placed} +│ Running +│ 1/1`));
      const kubeconfig = (id: string): string =>
        new RegExp(`${id}: export KUBECONFIG=(\\S+)`).exec(output)?.[1] ?? "";
      for (const id of ["cluster-1", "cluster-2", "cluster-3"])
        expect(kubeconfig(id).startsWith(stateDir), `${id}'s KUBECONFIG`).to.equal(true);
      const kubectl = (id: string, args: string[]) =>
        run(binaryPath("kubectl"), ["--kubeconfig", kubeconfig(id), ...args]);

      // Mirrored at home: Running, with the member in status.placement.cluster and the Cluster column.
      const home = await kubectl("cluster-1", [
        "get",
        "cc",
        FEDERATED,
        "-o",
        "jsonpath={.status.phase} {.status.readyReplicas} {.status.placement.cluster}",
      ]);
      expect(home.stdout, home.stderr).to.equal(`Running 1 ${placed}`);
      const column = await kubectl("cluster-1", ["get", "cc", FEDERATED]);
      expect(column.stdout)
        .to.match(/CLUSTER/)
        .and.to.contain(placed);
      // Run there: its copy Running in the home cluster's namespace, with a Running pod.
      const copy = await kubectl(placed, [
        "get",
        "cc,pods",
        "-n",
        "uranus-from-cluster-1",
        "-o",
        "jsonpath={range .items[*]}{.kind} {.status.phase}{'\\n'}{end}",
      ]);
      expect(copy.stdout.trim().split("\n").sort(), copy.stderr).to.deep.equal([
        "ComputeContract Running",
        "Pod Running",
      ]);

      const started = processesMentioning(stateDir);
      const count = (name: string): number => started.filter((line) => line.includes(name)).length;
      for (const name of ["etcd", "kube-apiserver", "kube-scheduler"])
        expect(count(`/${name} `), `${name} processes`).to.equal(3);
      expect(count("cometbft start"), "CometBFT validators").to.equal(4);
      expect(count("sidecar-main"), "sidecars").to.equal(4);
      pids.push(...started.map((line) => Number(line.split(" ")[0])));
    } finally {
      stop();
      result = await running.catch(() => undefined);
    }
    expect(failure).to.equal(undefined);
    console.log(
      `      ${FEDERATED} Running in ${placed}, everything Running and settled ` +
        `${result?.secondsToSettled?.toFixed(1)} s after \`up\` started`,
    );
    expect(result?.federation?.clusters.map((c) => c.clusterId)).to.deep.equal([
      "cluster-1",
      "cluster-2",
      "cluster-3",
    ]);
    expect(result?.federation?.placements.find((p) => p.contract === `default/${FEDERATED}`)).to.include({
      home: "cluster-1",
      cluster: placed,
    });
    expect(output).to.contain("stopping cluster-2: the local control plane");
    expect(processesMentioning(stateDir)).to.deep.equal([]);
    expect(pids.filter(pidAlive)).to.deep.equal([]);
    expect(existsSync(stateDir)).to.equal(false);
  });
});
