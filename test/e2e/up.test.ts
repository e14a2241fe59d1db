import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { binaryPath } from "../../hack/binaries.js";
import { run } from "../../hack/run-command.js";
import { waitFor } from "../../hack/wait-for.js";

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("npm run demo (the README's run command)", function () {
  this.timeout(180_000);

  it("starts the control plane, installs the CRDs, applies every example and stops everything on SIGINT", async () => {
    const env = { ...process.env };
    delete env.KUBECONFIG;
    // What `npm run demo` runs, started directly: npm's own signal handling differs between a terminal and a pipe.
    const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts.demo).to.equal("bash hack/demo.sh");
    // Its own process group, so SIGINT to the group is what a terminal's Ctrl-C does.
    const child = spawn("bash", ["hack/demo.sh", "--nodes", "1"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<string>((resolve) =>
      child.once("exit", (code, signal) => resolve(`${code} ${signal}`)),
    );
    try {
      const kubeconfig = await waitFor(() => /export KUBECONFIG=(\S+)/.exec(output)?.[1], {
        timeoutMs: 150_000,
        description: `"ready" from the demo; output so far:\n${output}`,
      });
      const dir = join(kubeconfig, "..");
      const state = JSON.parse(readFileSync(join(dir, "control-plane.json"), "utf8")) as {
        pids: { pid: number }[];
      };
      expect(state.pids).to.have.length(5);

      const kubectl = (args: string[]) => run(binaryPath("kubectl"), ["--kubeconfig", kubeconfig, ...args]);
      const crds = await kubectl(["get", "crd", "-o", "name"]);
      expect(crds.stdout).to.contain("computecontracts.uranus.io");
      const contracts = await kubectl(["get", "computecontracts", "-A", "-o", "name"]);
      expect(contracts.stdout.trim().split("\n")).to.have.length.of.at.least(4);
      const contributors = await kubectl([
        "get",
        "contributornodes",
        "-o",
        "jsonpath={.items[*].spec.nodeName}",
      ]);
      const nodes = await kubectl(["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"]);
      for (const name of contributors.stdout.split(" ")) expect(nodes.stdout.split(" ")).to.include(name);

      process.kill(-child.pid!, "SIGINT");
      expect(await exited).to.equal("0 null");
      expect(output).to.contain("stopping the local control plane");
      for (const { pid } of state.pids) expect(pidAlive(pid), `pid ${pid} after SIGINT`).to.equal(false);
      expect(existsSync(dir)).to.equal(false);
    } finally {
      if (groupAlive(child.pid!)) process.kill(-child.pid!, "SIGKILL");
    }
  });
});
