// A one-validator Uranus chain on a real CometBFT v0.38 node: `uranus chain init`, then `uranus chain start`
// (the ABCI app with its explorer) and `cometbft start` as separate processes, as a validator runs them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChainClient } from "../../../chain-sidecar/client/chain-client.js";
import { configureCometHome } from "../../../chain-sidecar/node/cometbft-config.js";
import { cometbftBinary } from "../../../chain-sidecar/node/cometbft-home.js";
import { freePorts } from "../../../process/free-port.js";
import { startProcess, type ManagedProcess } from "../../../process/managed-process.js";
import { run } from "../../../process/run-command.js";
import { waitFor } from "../../../process/wait-for.js";

const CLI = fileURLToPath(new URL("../../../cli/uranus.js", import.meta.url));

export interface CometExplorerChainOptions {
  chainId: string;
  moniker: string;
  /** Operates the node's validator. */
  operator: string;
  /** Genesis balances. */
  accounts: { address: string; balance: bigint }[];
}

export interface CometExplorerChain {
  /** CometBFT's own RPC. */
  rpcUrl: string;
  explorerUrl: string;
  client: ChainClient;
  sidecarExited(): boolean;
  logs(): string;
  stop(): Promise<void>;
}

export async function startCometExplorerChain(
  options: CometExplorerChainOptions,
): Promise<CometExplorerChain> {
  const home = mkdtempSync(join(tmpdir(), "uranus-explorer-comet-"));
  let sidecar: ManagedProcess | undefined;
  let cometbft: ManagedProcess | undefined;
  let client: ChainClient | undefined;
  const stop = async (): Promise<void> => {
    client?.disconnect();
    await cometbft?.stop();
    await sidecar?.stop();
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const [rpcPort, p2pPort, explorerPort, prometheusPort] = await freePorts(4);
    const init = await run(process.execPath, [
      CLI,
      "chain",
      "init",
      "--home",
      home,
      "--chain-id",
      options.chainId,
      "--moniker",
      options.moniker,
      "--operator",
      options.operator,
      ...options.accounts.flatMap((a) => ["--account", `${a.address}=${a.balance}`]),
      "--rpc-port",
      String(rpcPort),
      "--p2p-port",
      String(p2pPort),
      "--prometheus-port",
      String(prometheusPort),
      "--block-time",
      "200",
    ]);
    if (init.code !== 0) throw new Error(`uranus chain init failed:\n${init.stderr}`);
    configureCometHome(home, { roundTimeoutMs: 1000, logLevel: "error" });
    const sidecarProcess = startProcess(
      "uranus-sidecar",
      process.execPath,
      [CLI, "chain", "start", "--home", home, "--explorer", `127.0.0.1:${explorerPort}`],
      { logFile: join(home, "sidecar.log") },
    );
    sidecar = sidecarProcess;
    const explorerUrl = await waitFor(
      () => {
        if (sidecarProcess.exited()) throw new Error(`the sidecar exited:\n${sidecarProcess.logTail()}`);
        return /explorer: (http:\/\/\S+)/.exec(sidecarProcess.logTail(200))?.[1];
      },
      { timeoutMs: 30_000, intervalMs: 100, description: "the sidecar to print its explorer address" },
    );
    const node = startProcess("cometbft", cometbftBinary(), ["start", "--home", home], {
      logFile: join(home, "cometbft.log"),
    });
    cometbft = node;
    const rpcUrl = `http://127.0.0.1:${rpcPort}`;
    await waitFor(
      async () => {
        if (node.exited()) throw new Error(`cometbft exited:\n${node.logTail()}`);
        const answer = (await (await fetch(new URL("rpc/status", explorerUrl))).json()) as {
          result?: { sync_info: { latest_block_height: string } };
        };
        return Number(answer.result?.sync_info.latest_block_height ?? 0) >= 1 || undefined;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 200,
        description: "CometBFT's first block, seen through the explorer",
      },
    );
    client = await ChainClient.connect(rpcUrl);
    const connected = client;
    return {
      rpcUrl,
      explorerUrl,
      client: connected,
      sidecarExited: () => sidecarProcess.exited(),
      logs: () => `sidecar:\n${sidecarProcess.logTail()}\ncometbft:\n${node.logTail()}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
