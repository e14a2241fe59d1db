// The demo's chain: one CometBFT validator with its Uranus sidecar (as child processes), or with `--chain solo` the
// in-process solo block producer; either way a genesis that funds the demo accounts, and the explorer page.
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino, type Logger } from "pino";
import type { GenesisInput } from "../../chain-sidecar/genesis/app-state.js";
import { withExplorer } from "../../chain-sidecar/explorer/sidecar-explorer.js";
import { startSoloSidecar } from "../../chain-sidecar/node/sidecar.js";
import { buildUranusGenesis } from "../../chain-sidecar/genesis/validator-homes.js";
import { openHomeApp } from "../../chain-sidecar/node/uranus-app-opener.js";
import { Testnet } from "../../chain-sidecar/testnet/testnet.js";
import { tsxNodeCommand } from "../../chain-sidecar/testnet/tsx-node-command.js";
import { freePort } from "../../process/free-port.js";
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
}

export interface DemoChain {
  readonly rpcUrl: string;
  readonly explorerUrl: string;
  readonly chainId: string;
  /** CometBFT's Prometheus endpoint, or the solo chain's (the same consensus metrics at its RPC's /metrics). */
  readonly metricsUrl: string;
}

export const DEMO_CHAIN_ID = "uranus-demo";
const sidecarMain = fileURLToPath(new URL("../../chain-sidecar/node/sidecar-main.ts", import.meta.url));

export async function startDemoChain(options: DemoChainOptions): Promise<DemoChain> {
  const explorerPort = await freePort();
  const net = await Testnet.create({
    validators: 1,
    dir: options.dir,
    chainId: DEMO_CHAIN_ID,
    // The sidecar serves the explorer on a port we chose, so its URL is known without reading its log.
    launcher: (home) =>
      tsxNodeCommand(sidecarMain, [
        "chain",
        "start",
        "--home",
        home,
        "--explorer",
        `127.0.0.1:${explorerPort}`,
      ]),
    appGenesis: (_chainId, validators) =>
      buildUranusGenesis(validators, {
        accounts: options.accounts,
        params: { market: { meteringIntervalSeconds: options.meteringIntervalSeconds } },
      }),
    timeoutCommitMs: 1000,
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
    };
  }
  options.supervisor.started("the chain (CometBFT and its sidecar)", () => net.destroy());
  await net.start(2);
  for (const process of [node.sidecar, node.cometbft])
    if (process !== undefined) options.supervisor.watch(process);
  return {
    rpcUrl: node.rpcUrl,
    explorerUrl: `http://127.0.0.1:${explorerPort}/`,
    chainId: DEMO_CHAIN_ID,
    metricsUrl: node.metricsUrl,
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
