// The demo's chain: one CometBFT validator with its Uranus sidecar (as child processes), or for a federation several,
// or with `--chain solo` the in-process solo block producer; either way a genesis that funds the demo accounts, and
// the explorer page (served by the first validator's sidecar).
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Wallet } from "ethers";
import { pino, type Logger } from "pino";
import type { GenesisInput } from "../../chain-sidecar/genesis/app-state.js";
import { withExplorer } from "../../chain-sidecar/explorer/sidecar-explorer.js";
import { SIDECAR_NODE_FLAGS } from "../../chain-sidecar/node/sidecar-node-flags.js";
import { startSoloSidecar } from "../../chain-sidecar/node/sidecar.js";
import { buildUranusGenesis } from "../../chain-sidecar/genesis/validator-homes.js";
import { openHomeApp } from "../../chain-sidecar/node/uranus-app-opener.js";
import { Testnet } from "../../chain-sidecar/testnet/testnet.js";
import { tsxNodeCommand } from "../../chain-sidecar/testnet/tsx-node-command.js";
import { freePort } from "../../process/free-port.js";
import { DEMO_BALANCE } from "./demo-accounts.js";
import type { Supervisor } from "./supervisor.js";

export type ChainMode = "cometbft" | "solo";

export interface DemoChainOptions {
  mode: ChainMode;
  /** Where the node's home goes. */
  dir: string;
  logsDir: string;
  accounts: GenesisInput["accounts"];
  /** The chain's metering interval, matched to the operator's so an escrow is checked against what it pays. */
  meteringIntervalSeconds: number;
  supervisor: Supervisor;
  /** CometBFT validators, each with its sidecar; 1 by default. */
  validators?: number;
  /** Operator accounts of the first validators (funded by genesis as validators, not in `accounts`). */
  validatorOperators?: readonly Wallet[];
  /** CometBFT's pause after each commit; 1000 ms by default. */
  blockTimeMs?: number;
  /** Genesis parameters beside the metering interval. */
  params?: GenesisInput["params"];
}

export interface DemoChain {
  readonly rpcUrl: string;
  readonly explorerUrl: string;
  readonly chainId: string;
  /** CometBFT's Prometheus endpoint, or the solo chain's (the same consensus metrics at its RPC's /metrics). */
  readonly metricsUrl: string;
  /** Every validator's RPC, the first's being `rpcUrl` (only that one with the solo chain). */
  readonly nodeRpcUrls: string[];
}

export const DEMO_CHAIN_ID = "uranus-demo";
const sidecarMain = fileURLToPath(new URL("../../chain-sidecar/node/sidecar-main.ts", import.meta.url));

export async function startDemoChain(options: DemoChainOptions): Promise<DemoChain> {
  const explorerPort = await freePort();
  const net = await Testnet.create({
    validators: options.validators ?? 1,
    dir: options.dir,
    chainId: DEMO_CHAIN_ID,
    // The first sidecar serves the explorer on a port we chose, so its URL is known without reading its log.
    launcher: (home) =>
      tsxNodeCommand(
        sidecarMain,
        [
          "chain",
          "start",
          "--home",
          home,
          ...(home === net.nodes[0]!.home ? ["--explorer", `127.0.0.1:${explorerPort}`] : []),
        ],
        SIDECAR_NODE_FLAGS,
      ),
    appGenesis: (_chainId, validators) =>
      buildUranusGenesis(validators, {
        accounts: options.accounts,
        operators: options.validatorOperators,
        operatorBalance: DEMO_BALANCE,
        params: {
          ...options.params,
          market: { ...options.params?.market, meteringIntervalSeconds: options.meteringIntervalSeconds },
        },
      }),
    timeoutCommitMs: options.blockTimeMs ?? 1000,
    // Quiet when idle: blocks come for the operators' transactions (heartbeats, metering), none otherwise.
    createEmptyBlocks: false,
  });
  const node = net.nodes[0]!;
  if (options.mode === "solo") {
    const logger = pino({ name: "uranus-sidecar" }, createWriteStream(join(options.logsDir, "chain.log")));
    const running = await startSolo(node.home, explorerPort, logger, options.supervisor);
    options.supervisor.started("the solo chain", () => running.stop());
    return {
      rpcUrl: running.address,
      explorerUrl: `http://127.0.0.1:${explorerPort}/`,
      chainId: DEMO_CHAIN_ID,
      metricsUrl: `${running.address}/metrics`,
      nodeRpcUrls: [running.address],
    };
  }
  options.supervisor.started(
    net.nodes.length === 1
      ? "the chain (CometBFT and its sidecar)"
      : `the chain (${net.nodes.length} CometBFT validators and their sidecars)`,
    () => net.destroy(),
  );
  // CometBFT makes the first block even without txs; later ones wait for them.
  await net.start(1);
  for (const process of net.nodes.flatMap((n) => [n.sidecar, n.cometbft]))
    if (process !== undefined) options.supervisor.watch(process);
  return {
    rpcUrl: node.rpcUrl,
    explorerUrl: `http://127.0.0.1:${explorerPort}/`,
    chainId: DEMO_CHAIN_ID,
    metricsUrl: node.metricsUrl,
    nodeRpcUrls: net.nodes.map((n) => n.rpcUrl),
  };
}

async function startSolo(home: string, explorerPort: number, logger: Logger, supervisor: Supervisor) {
  const app = await openHomeApp(home, logger);
  return withExplorer(
    startSoloSidecar({
      home,
      app,
      logger,
      blockIntervalMs: 500,
      onFatal: (error) => supervisor.fail("the solo chain", error),
    }),
    {
      listen: `127.0.0.1:${explorerPort}`,
      rpcUrl: (running) => running.address,
      logger,
      print: () => undefined,
    },
  );
}
