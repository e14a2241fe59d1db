// config/manager's pod run on this machine as a member cluster deploys it: an overlay merges a running testnet's
// genesis and peers into uranus-chain-network, then chain-init runs (twice, as on a restart), then chain and cometbft.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { expect } from "chai";
import { stringify } from "yaml";
import type { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import { TestnetNode } from "../../../chain-sidecar/testnet/testnet-node.js";
import { uranusSidecarLauncher } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import { homePaths } from "../../../chain-sidecar/node/cometbft-home.js";
import { freePorts } from "../../../process/free-port.js";
import { startProcess, type ManagedProcess } from "../../../process/managed-process.js";
import { container, kustomize, localRun, one, podVolumes, run, type Manifest } from "./manifest-pod.js";

export interface JoinSettings {
  moniker: string;
  role: "validator" | "full";
  /** Secrets that exist in the cluster, by name: file name → content. */
  secrets?: Record<string, Record<string, string>>;
}

export class JoiningNode {
  private constructor(
    readonly dir: string,
    /** Used only to query the node (its RPC, block results, metrics); it did not start it. */
    readonly node: TestnetNode,
    readonly manifests: Manifest[],
    /** What chain-init printed on each run. */
    readonly initOutputs: string[],
    private readonly processes: ManagedProcess[],
  ) {}

  /** Renders the overlay, runs chain-init twice, then starts the pod's two chain containers at once, as the kubelet does. */
  static async deploy(testnet: Testnet, peers: TestnetNode[], settings: JoinSettings): Promise<JoiningNode> {
    const dir = mkdtempSync(join(tmpdir(), "uranus-join-"));
    const processes: ManagedProcess[] = [];
    try {
      const [rpc, p2p, prometheus] = (await freePorts(3)) as [number, number, number];
      const manifests = await kustomize(
        writeOverlay(join(dir, "overlay"), readFileSync(homePaths(testnet.nodes[0]!.home).genesis, "utf8"), {
          moniker: settings.moniker,
          role: settings.role,
          persistent_peers: peers.map((p) => p.p2pAddress).join(","),
          external_address: `127.0.0.1:${p2p}`,
        }),
      );
      const deployment = one(manifests, "Deployment");
      const volumes = podVolumes(deployment, manifests, join(dir, "pod"), settings.secrets);
      // The pod's ports become free loopback ones: a test binds nothing beyond 127.0.0.1.
      const ports: Record<string, number> = { "26656": p2p, "26657": rpc, "26660": prometheus };
      const local = (value: string): string =>
        value
          .replaceAll("0.0.0.0", "127.0.0.1")
          .replace(/\b2665[67]\b|\b26660\b/g, (port) => String(ports[port]));
      const runOf = (name: string) => localRun(container(deployment, name), manifests, volumes, local);
      const init = runOf("chain-init");
      const initOutputs: string[] = [];
      for (let i = 0; i < 2; i++) initOutputs.push((await run(init.command, init.args)).stdout);
      const home = volumes["chain-data"]!;
      for (const name of ["chain", "cometbft"]) {
        const { command, args } = runOf(name);
        processes.push(startProcess(`joiner-${name}`, command, args, { logFile: join(dir, `${name}.log`) }));
      }
      const nodeId = /^nodeId\s+([0-9a-f]{40})$/m.exec(initOutputs[0]!)?.[1];
      expect(nodeId, initOutputs[0]).to.be.a("string");
      const node = new TestnetNode(
        settings.moniker,
        home,
        rpc,
        p2p,
        prometheus,
        nodeId!,
        uranusSidecarLauncher,
      );
      return new JoiningNode(dir, node, manifests, initOutputs, processes);
    } catch (error) {
      await stopAll(processes);
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Throws with the log's tail when a container's process has ended (a pod's container would restart). */
  checkRunning(): void {
    for (const p of this.processes) if (p.exited()) throw new Error(`${p.name} exited:\n${p.logTail()}`);
  }

  /** CometBFT first (it closes its ABCI connections), then the sidecar; then the directory goes. */
  async stop(): Promise<void> {
    await stopAll(this.processes);
    if (process.env.URANUS_KEEP_TESTNET !== "1") rmSync(this.dir, { recursive: true, force: true });
  }
}

async function stopAll(processes: ManagedProcess[]): Promise<void> {
  for (const p of [...processes].reverse()) await p.stop();
}

/** A member's overlay on config/manager, as README's "Federating clusters" shows it. */
function writeOverlay(dir: string, genesis: string, literals: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "genesis.json"), genesis);
  const kustomization = {
    resources: ["config/manager", "config/rbac-federation"].map((base) =>
      relative(dir, join(process.cwd(), base)),
    ),
    configMapGenerator: [
      {
        name: "uranus-chain-network",
        namespace: "uranus-system",
        behavior: "merge",
        files: ["genesis.json"],
        literals: Object.entries(literals).map(([key, value]) => `${key}=${value}`),
      },
    ],
  };
  writeFileSync(join(dir, "kustomization.yaml"), stringify(kustomization));
  return dir;
}
