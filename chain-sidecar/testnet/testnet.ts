// N CometBFT validators and N sidecars on loopback, each with its own ports, wired as persistent peers.
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
  readFileSync,
  existsSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "../../process/free-port.js";
import { stopPid } from "../../process/managed-process.js";
import { waitFor } from "../../process/wait-for.js";
import { configureCometHome, type CometConfigSettings } from "../node/cometbft-config.js";
import { stateSyncTrust } from "../node/network-join.js";
import { homePaths, initCometHome, readNodeId } from "../node/cometbft-home.js";
import {
  newGenesisDoc,
  writeGenesisDoc,
  type ConsensusParamsJson,
  type GenesisDoc,
} from "../genesis/genesis-doc.js";
import { ValidatorKey } from "../node/validator-key.js";
import { TestnetNode, type SidecarLauncher } from "./testnet-node.js";

export interface TestnetValidator {
  index: number;
  moniker: string;
  /** 32-byte ed25519 consensus public key from the node's priv_validator_key.json. */
  consensusPublicKey: Uint8Array;
  home: string;
}

/** Builds the app_state of the genesis (and optionally the CometBFT powers) for the testnet's validators. */
export type AppGenesisBuilder = (
  chainId: string,
  validators: TestnetValidator[],
) => Promise<{ appState?: unknown; powers?: bigint[] }> | { appState?: unknown; powers?: bigint[] };

export interface TestnetOptions {
  validators: number;
  launcher: SidecarLauncher;
  appGenesis?: AppGenesisBuilder;
  /** Parent directory; a fresh temporary one when absent. Removed by destroy() only if we created it. */
  dir?: string;
  chainId?: string;
  /** Pause after each commit, i.e. the block time. */
  timeoutCommitMs?: number;
  roundTimeoutMs?: number;
  createEmptyBlocks?: boolean;
  logLevel?: string;
  consensusParams?: ConsensusParamsJson;
  mempoolSize?: number;
  rpcMaxBatchSize?: number;
}

/** What `down` needs to stop exactly what `up` started. */
export interface TestnetStateFile {
  dir: string;
  createdDir: boolean;
  nodes: { name: string; rpcUrl: string; sidecarPid?: number; cometbftPid?: number }[];
}

export const STATE_FILE = "testnet.json";

const DEFAULT_LOG_LEVEL = "main:info,state:info,consensus:error,*:error";

export class Testnet {
  private constructor(
    readonly dir: string,
    private readonly createdDir: boolean,
    readonly nodes: TestnetNode[],
    readonly genesis: GenesisDoc,
    private readonly options: TestnetOptions,
  ) {}

  static async create(options: TestnetOptions): Promise<Testnet> {
    if (!Number.isInteger(options.validators) || options.validators < 1) {
      throw new Error(`a testnet needs at least 1 validator, got ${options.validators}`);
    }
    // A directory we create is ours to remove on destroy/down; one that existed is left in place.
    const createdDir = options.dir === undefined || !existsSync(options.dir);
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), "uranus-testnet-"));
    mkdirSync(dir, { recursive: true });
    const chainId = options.chainId ?? "uranus-testnet";
    const ports = await freePorts(options.validators * 3);
    const nodes: TestnetNode[] = [];
    const validators: TestnetValidator[] = [];
    for (let i = 0; i < options.validators; i++) {
      const name = `node${i}`;
      const home = join(dir, name);
      await initCometHome(home);
      const key = ValidatorKey.load(homePaths(home).validatorKey);
      validators.push({ index: i, moniker: name, consensusPublicKey: key.publicKey, home });
      nodes.push(
        new TestnetNode(
          name,
          home,
          ports[3 * i]!,
          ports[3 * i + 1]!,
          ports[3 * i + 2]!,
          readNodeId(home),
          options.launcher,
        ),
      );
    }
    const app = (await options.appGenesis?.(chainId, validators)) ?? {};
    const genesis = newGenesisDoc({
      chainId,
      validators: validators.map((v) => ({
        publicKey: v.consensusPublicKey,
        power: app.powers?.[v.index] ?? 10n,
        name: v.moniker,
      })),
      appState: app.appState,
      consensusParams: options.consensusParams,
    });
    const testnet = new Testnet(dir, createdDir, nodes, genesis, options);
    for (const node of nodes) testnet.configure(node);
    return testnet;
  }

  private configure(node: TestnetNode, extra: CometConfigSettings = {}): void {
    writeGenesisDoc(homePaths(node.home).genesis, this.genesis);
    configureCometHome(node.home, {
      moniker: node.name,
      proxyApp: `unix://${homePaths(node.home).abciSocket}`,
      rpcPort: node.rpcPort,
      p2pPort: node.p2pPort,
      prometheusPort: node.metricsPort,
      persistentPeers: this.nodes.filter((n) => n !== node).map((n) => n.p2pAddress),
      timeoutCommitMs: this.options.timeoutCommitMs ?? 1000,
      roundTimeoutMs: this.options.roundTimeoutMs ?? 1000,
      createEmptyBlocks: this.options.createEmptyBlocks ?? true,
      logLevel: this.options.logLevel ?? DEFAULT_LOG_LEVEL,
      mempoolSize: this.options.mempoolSize,
      rpcMaxBatchSize: this.options.rpcMaxBatchSize,
      ...extra,
    });
  }

  /** Starts every node and waits until all of them have committed `minHeight` blocks. */
  async start(minHeight = 2, timeoutMs = 120_000): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.start()));
    await this.waitForHeight(minHeight, this.nodes, timeoutMs);
  }

  async waitForHeight(height: number, nodes = this.nodes, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        for (const node of nodes) {
          if (node.cometbft?.exited() === true) {
            throw new Error(`${node.name} CometBFT exited:\n${node.cometbft.logTail()}`);
          }
          // CometBFT can outlive a sidecar that stopped on a fatal error; its height would never move again.
          if (node.sidecar?.exited() === true) {
            throw new Error(`${node.name} sidecar exited:\n${node.sidecar.logTail()}`);
          }
        }
        const heights = await Promise.all(nodes.map((n) => n.height()));
        return heights.every((h) => h !== undefined && h >= height) || undefined;
      },
      {
        timeoutMs,
        intervalMs: 200,
        description: `${nodes.map((n) => n.name).join(", ")} at height ${height}`,
      },
    );
  }

  /** Waits until every running node has caught up (not block-syncing) and they are within one block of each other. */
  async waitForCaughtUp(nodes = this.nodes.filter((n) => n.running), timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        const statuses = await Promise.all(nodes.map((n) => n.status().catch(() => undefined)));
        if (statuses.some((s) => s === undefined || s.catchingUp)) return undefined;
        const heights = statuses.map((s) => s!.height);
        return Math.max(...heights) - Math.min(...heights) <= 1 || undefined;
      },
      { timeoutMs, intervalMs: 250, description: `${nodes.map((n) => n.name).join(", ")} caught up` },
    );
  }

  /** The app hash after block `height` on every node, once each has executed it (block_results lags the block store). */
  async appHashesAfter(height: number, nodes = this.nodes, timeoutMs = 60_000): Promise<string[]> {
    return waitFor(
      async () => {
        const hashes = await Promise.all(nodes.map((n) => n.appHashAfter(height)));
        return hashes.every((h) => h !== undefined && h !== "") ? (hashes as string[]) : undefined;
      },
      { timeoutMs, intervalMs: 250, description: `app hashes after block ${height}` },
    );
  }

  /**
   * Adds a node that signs with validator `index`'s key from a fresh signing state: it will double-sign.
   * The original stops for a moment so its chain data (CometBFT's and the app's) can be copied, which lets the
   * twin vote at the current height at once instead of syncing. Used to test evidence handling; nothing else.
   */
  async addTwin(index: number, launcher: SidecarLauncher = this.options.launcher): Promise<TestnetNode> {
    const original = this.nodes[index];
    if (original === undefined) throw new Error(`no validator ${index}`);
    const name = `${original.name}-twin`;
    const home = join(this.dir, name);
    await initCometHome(home);
    copyFileSync(homePaths(original.home).validatorKey, homePaths(home).validatorKey);
    await original.stop();
    rmSync(join(home, "data"), { recursive: true, force: true });
    cpSync(join(original.home, "data"), join(home, "data"), { recursive: true });
    writeFileSync(homePaths(home).validatorState, JSON.stringify({ height: "0", round: 0, step: 0 }) + "\n");
    await original.start();
    const [rpcPort, p2pPort, metricsPort] = await freePorts(3);
    const twin = new TestnetNode(name, home, rpcPort!, p2pPort!, metricsPort!, readNodeId(home), launcher);
    this.nodes.push(twin);
    this.configure(twin);
    await twin.start();
    return twin;
  }

  /**
   * Adds a full node that joins through state sync: it restores the newest snapshot its peers offer, with the app
   * hash checked by a light client against two running nodes' RPC and trusting their current block, then follows
   * the chain by block sync. Its block store starts above the snapshot height.
   */
  async addStateSyncedNode(
    launcher: SidecarLauncher = this.options.launcher,
    discoveryTimeMs = 5000,
  ): Promise<TestnetNode> {
    const rpcNodes = this.nodes.filter((n) => n.running).slice(0, 2);
    if (rpcNodes.length < 2) throw new Error("state sync needs two running nodes to serve the light client");
    const name = `full${this.nodes.length}`;
    const home = join(this.dir, name);
    await initCometHome(home);
    const [rpcPort, p2pPort, metricsPort] = await freePorts(3);
    const node = new TestnetNode(name, home, rpcPort!, p2pPort!, metricsPort!, readNodeId(home), launcher);
    const trust = await stateSyncTrust(rpcNodes[0]!.rpcUrl);
    this.nodes.push(node);
    this.configure(node, {
      stateSync: { rpcServers: rpcNodes.map((n) => n.rpcUrl), ...trust, discoveryTimeMs },
      // State sync's own progress (snapshots offered, chunks applied, "Snapshot restored") goes to its log.
      logLevel: `${this.options.logLevel ?? DEFAULT_LOG_LEVEL},statesync:info`,
    });
    await node.start();
    return node;
  }

  /** Stops every process (CometBFT before its sidecar). */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }

  /** Stops everything and removes the directory if this testnet created it (kept when URANUS_KEEP_TESTNET=1, for its logs). */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.createdDir && process.env.URANUS_KEEP_TESTNET !== "1")
      rmSync(this.dir, { recursive: true, force: true });
  }

  /** Lets the processes outlive this one, recording their pids for `stopRecordedTestnet`. */
  detach(): TestnetStateFile {
    const state: TestnetStateFile = {
      dir: this.dir,
      createdDir: this.createdDir,
      nodes: this.nodes.map((node) => ({
        name: node.name,
        rpcUrl: node.rpcUrl,
        sidecarPid: node.sidecar?.pid,
        cometbftPid: node.cometbft?.pid,
      })),
    };
    writeFileSync(join(this.dir, STATE_FILE), JSON.stringify(state, null, 2) + "\n");
    for (const node of this.nodes) {
      node.sidecar?.child.unref();
      node.cometbft?.child.unref();
    }
    return state;
  }
}

/** Stops the processes a detached testnet recorded in `dir`, then removes what it created. */
export async function stopRecordedTestnet(dir: string): Promise<TestnetStateFile> {
  const path = join(dir, STATE_FILE);
  if (!existsSync(path)) throw new Error(`no testnet recorded in ${dir} (missing ${STATE_FILE})`);
  const state = JSON.parse(readFileSync(path, "utf8")) as TestnetStateFile;
  await Promise.all(
    state.nodes.map(async (node) => {
      if (node.cometbftPid !== undefined) await stopPid(node.cometbftPid);
      if (node.sidecarPid !== undefined) await stopPid(node.sidecarPid);
    }),
  );
  if (state.createdDir) rmSync(state.dir, { recursive: true, force: true });
  else rmSync(path, { force: true });
  return state;
}
