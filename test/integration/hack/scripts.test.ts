import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { expect } from "chai";
import { waitFor } from "../../../process/wait-for.js";
import { pidAlive } from "../../support/process-probes.js";
import { scratchDirectory } from "../../support/scratch-directory.js";

const run = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command as a user would from the checkout, with extra environment; never throws on exit codes. */
async function sh(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  try {
    const { stdout, stderr } = await run(command, args, {
      env: { ...process.env, ...env },
      timeout: 150_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

interface TestnetState {
  nodes: { rpcUrl: string; sidecarPid: number; cometbftPid: number }[];
}

interface ControlPlaneState {
  pids: { pid: number }[];
}

/** When a script under test failed to stop what it started, stop it here so nothing outlives the test. */
async function stopLeftovers(stateFile: string, pidsOf: (state: never) => number[]): Promise<void> {
  if (!existsSync(stateFile)) return;
  const pids = pidsOf(JSON.parse(readFileSync(stateFile, "utf8")) as never);
  for (const pid of pids.filter(pidAlive)) process.kill(-pid, "SIGKILL");
  await waitFor(() => pids.every((pid) => !pidAlive(pid)) || undefined, {
    timeoutMs: 10_000,
    description: "left-over processes gone",
  });
}

describe("hack/testnet.sh and hack/control-plane.sh, run as the README shows", function () {
  this.timeout(240_000);
  const parent = scratchDirectory("uranus-scripts-", "whole suite");

  it("testnet.sh up starts detached validators the CLI can query; down stops the recorded pids and cleans up", async () => {
    const env = { URANUS_TESTNET_DIR: join(parent.path, "testnet") };
    const up = await sh("bash", ["hack/testnet.sh", "up", "2"], env);
    try {
      expect(up.code, up.stderr).to.equal(0);
      const state = JSON.parse(
        readFileSync(join(env.URANUS_TESTNET_DIR, "testnet.json"), "utf8"),
      ) as TestnetState;
      expect(state.nodes).to.have.length(2);
      const pids = state.nodes.flatMap((n) => [n.sidecarPid, n.cometbftPid]);
      for (const pid of pids) expect(pidAlive(pid), `pid ${pid} runs after up returned`).to.equal(true);
      expect(up.stdout).to.contain(state.nodes[0]!.rpcUrl).and.contain("uranus testnet down");
      const validators = await sh(
        "node",
        ["cli/uranus.js", "--node", state.nodes[0]!.rpcUrl, "--output", "json", "query", "validators"],
        {},
      );
      expect(validators.code, validators.stderr).to.equal(0);
      expect(JSON.parse(validators.stdout) as unknown[]).to.have.length(2);

      const down = await sh("bash", ["hack/testnet.sh", "down"], env);
      expect(down.code, down.stderr).to.equal(0);
      expect(down.stdout).to.contain("stopped 2 nodes");
      for (const pid of pids) expect(pidAlive(pid), `pid ${pid} after down`).to.equal(false);
      expect(existsSync(env.URANUS_TESTNET_DIR), "the directory up created").to.equal(false);
    } finally {
      await stopLeftovers(join(env.URANUS_TESTNET_DIR, "testnet.json"), (state: TestnetState) =>
        state.nodes.flatMap((n) => [n.sidecarPid, n.cometbftPid]),
      );
    }
  });

  it("control-plane.sh up prints a KUBECONFIG that works, nodes N adds kwok nodes, down stops it", async () => {
    const env = { URANUS_STATE_DIR: join(parent.path, "control-plane") };
    const up = await sh("bash", ["hack/control-plane.sh", "up"], env);
    try {
      expect(up.code, up.stderr).to.equal(0);
      const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(up.stdout)?.[1];
      expect(kubeconfig, up.stdout).to.be.a("string");
      const state = JSON.parse(
        readFileSync(join(env.URANUS_STATE_DIR, "control-plane.json"), "utf8"),
      ) as ControlPlaneState;
      const pids = state.pids.map((p) => p.pid);
      for (const pid of pids) expect(pidAlive(pid), `pid ${pid} runs after up returned`).to.equal(true);

      const nodes = await sh("bash", ["hack/control-plane.sh", "nodes", "2"], env);
      expect(nodes.code, nodes.stderr).to.equal(0);
      expect(nodes.stdout).to.match(/created 2 nodes/);
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig!);
      const listed = await kc.makeApiClient(CoreV1Api).listNode();
      expect(listed.items.map((n) => n.metadata?.name)).to.have.length(2);

      const down = await sh("bash", ["hack/control-plane.sh", "down"], env);
      expect(down.code, down.stderr).to.equal(0);
      for (const pid of pids) expect(pidAlive(pid), `pid ${pid} after down`).to.equal(false);
      expect(existsSync(env.URANUS_STATE_DIR), "its data").to.equal(false);
    } finally {
      await stopLeftovers(join(env.URANUS_STATE_DIR, "control-plane.json"), (state: ControlPlaneState) =>
        state.pids.map((p) => p.pid),
      );
    }
  });
});
