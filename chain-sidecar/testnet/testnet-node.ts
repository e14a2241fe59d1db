// One validator of a local testnet: its CometBFT home, its sidecar process and its CometBFT process.
import { existsSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { startProcess, type ManagedProcess } from "../../process/managed-process.js";
import { waitFor } from "../../process/wait-for.js";
import { cometbftBinary, homePaths } from "../node/cometbft-home.js";

/** How a sidecar is started for a home: a program and its arguments. */
export type SidecarLauncher = (home: string) => { command: string; args: string[]; env?: NodeJS.ProcessEnv };

export interface NodeStatus {
  height: number;
  /** The lowest block this node's block store holds: 1 after replaying from genesis, higher after state sync. */
  earliestHeight: number;
  appHash: string;
  catchingUp: boolean;
}

export class TestnetNode {
  sidecar: ManagedProcess | undefined;
  cometbft: ManagedProcess | undefined;
  private starts = 0;

  constructor(
    readonly name: string,
    readonly home: string,
    readonly rpcPort: number,
    readonly p2pPort: number,
    /** Where CometBFT serves its Prometheus metrics. */
    readonly metricsPort: number,
    readonly nodeId: string,
    private readonly launcher: SidecarLauncher,
  ) {}

  get rpcUrl(): string {
    return `http://127.0.0.1:${this.rpcPort}`;
  }

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.metricsPort}/metrics`;
  }

  get p2pAddress(): string {
    return `${this.nodeId}@127.0.0.1:${this.p2pPort}`;
  }

  get running(): boolean {
    return this.cometbft !== undefined && !this.cometbft.exited();
  }

  /** Starts the sidecar, waits for its ABCI socket, then starts CometBFT against it. */
  async start(): Promise<void> {
    if (this.running) return;
    this.starts++;
    const socket = homePaths(this.home).abciSocket;
    // A sidecar killed with -9 leaves its socket file behind; only a fresh one means the new sidecar listens.
    rmSync(socket, { force: true });
    const launch = this.launcher(this.home);
    this.sidecar = startProcess(`${this.name}-sidecar`, launch.command, launch.args, {
      logFile: join(this.home, "sidecar.log"),
      env: launch.env ?? process.env,
    });
    const sidecar = this.sidecar;
    await waitFor(
      async () => {
        if (sidecar.exited()) throw new Error(`${this.name} sidecar exited:\n${sidecar.logTail()}`);
        return (existsSync(socket) && (await accepts(socket))) || undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50, description: `${this.name} sidecar's ABCI socket` },
    );
    this.cometbft = startProcess(`${this.name}-cometbft`, cometbftBinary(), ["start", "--home", this.home], {
      logFile: join(this.home, "cometbft.log"),
    });
  }

  /** Stops CometBFT first (it closes its ABCI connections), then the sidecar. */
  async stop(): Promise<void> {
    await this.cometbft?.stop();
    await this.sidecar?.stop();
  }

  /** kill -9 of one process, as a crash. */
  async kill(which: "sidecar" | "cometbft" | "both"): Promise<void> {
    const targets =
      which === "both" ? [this.sidecar, this.cometbft] : [which === "sidecar" ? this.sidecar : this.cometbft];
    for (const target of targets) {
      if (target === undefined || target.exited()) continue;
      target.child.kill("SIGKILL");
      await waitFor(() => target.exited() || undefined, {
        timeoutMs: 10_000,
        intervalMs: 20,
        description: `${target.name} to die`,
      });
    }
  }

  /** CometBFT stops by itself when its app connection breaks; this waits for that after a sidecar crash. */
  async waitForCometbftExit(timeoutMs = 15_000): Promise<void> {
    const node = this.cometbft;
    if (node === undefined) return;
    await waitFor(() => node.exited() || undefined, {
      timeoutMs,
      intervalMs: 50,
      description: `${node.name} to exit`,
    });
  }

  /** Status from this node's RPC; throws when it does not answer. */
  async status(): Promise<NodeStatus> {
    const response = await fetch(`${this.rpcUrl}/status`, { signal: AbortSignal.timeout(2000) });
    const body = (await response.json()) as {
      result: {
        sync_info: {
          latest_block_height: string;
          latest_app_hash: string;
          catching_up: boolean;
          earliest_block_height: string;
        };
      };
    };
    const sync = body.result.sync_info;
    return {
      height: Number(sync.latest_block_height),
      earliestHeight: Number(sync.earliest_block_height),
      appHash: sync.latest_app_hash,
      catchingUp: sync.catching_up,
    };
  }

  /** The app hash after executing block `height` (from block_results), or undefined if not reachable. */
  async appHashAfter(height: number): Promise<string | undefined> {
    try {
      const response = await fetch(`${this.rpcUrl}/block_results?height=${height}`, {
        signal: AbortSignal.timeout(2000),
      });
      const body = (await response.json()) as { result?: { app_hash?: string } };
      return body.result?.app_hash;
    } catch {
      return undefined;
    }
  }

  async blockHash(height: number): Promise<string | undefined> {
    try {
      const response = await fetch(`${this.rpcUrl}/block?height=${height}`, {
        signal: AbortSignal.timeout(2000),
      });
      const body = (await response.json()) as { result?: { block_id?: { hash?: string } } };
      return body.result?.block_id?.hash;
    } catch {
      return undefined;
    }
  }

  /** Current height, or undefined when the RPC does not answer. */
  async height(): Promise<number | undefined> {
    try {
      return (await this.status()).height;
    } catch {
      return undefined;
    }
  }

  get startCount(): number {
    return this.starts;
  }

  get pids(): { sidecar?: number; cometbft?: number } {
    return { sidecar: this.sidecar?.pid, cometbft: this.cometbft?.pid };
  }
}

function accepts(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => {
      resolve(false);
    });
  });
}
