// `uranus chain init|start`: create a CometBFT home for the Uranus chain, and run its sidecar.
import { existsSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { pino } from "pino";
import { buildGenesisAppState } from "../genesis/app-state.js";
import { DEFAULT_EXPLORER_ADDRESS, withExplorer } from "../explorer/sidecar-explorer.js";
import { configPath, configureCometHome, rpcListenAddress } from "./cometbft-config.js";
import { homePaths, initCometHome, readNodeId } from "./cometbft-home.js";
import { newGenesisDoc, writeGenesisDoc } from "../genesis/genesis-doc.js";
import { serveUntilSignal } from "./serve-until-signal.js";
import { startAbciSidecar, startSoloSidecar } from "./sidecar.js";
import { openHomeApp } from "./uranus-app-opener.js";
import { ValidatorKey } from "./validator-key.js";

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a positive integer`);
  return n;
}

function port(value: string): number {
  const n = positiveInt(value);
  if (n > 65535) throw new InvalidArgumentError(`${value} is not a TCP port`);
  return n;
}

function account(value: string, previous: { address: string; balance: bigint }[] = []) {
  const match = /^(0x[0-9a-fA-F]{40})=(\d+)$/.exec(value);
  if (match === null) throw new InvalidArgumentError(`${JSON.stringify(value)} is not 0xADDRESS=BALANCE`);
  return [...previous, { address: match[1]!, balance: BigInt(match[2]!) }];
}

interface InitOptions {
  home: string;
  chainId: string;
  moniker: string;
  operator?: string;
  deposit: string;
  account?: { address: string; balance: bigint }[];
  rpcPort: number;
  p2pPort: number;
  prometheusPort: number;
  blockTime: number;
}

interface StartOptions {
  home: string;
  solo?: boolean;
  abci?: string;
  rpcPort?: number;
  blockTime: number;
  produceOnTx?: boolean;
  emptyBlocks: boolean;
  explorer: string | false;
}

export function registerChainCommands(program: Command): void {
  const chain = program.command("chain").description("run a Uranus chain node's sidecar");
  const output = (): string => (program.opts<{ output: string }>().output === "json" ? "json" : "text");

  chain
    .command("init")
    .description("create a CometBFT home (with `cometbft init`) whose genesis runs the Uranus app")
    .requiredOption("--home <dir>", "CometBFT home directory")
    .option("--chain-id <id>", "chain id", "uranus-local")
    .option("--moniker <name>", "node name", "uranus-node")
    .option(
      "--operator <0xaddress>",
      "account that operates this node's validator (staking record at genesis)",
    )
    .option("--deposit <amount>", "the operator's validator deposit", "1000000")
    .option("--account <0xaddress=balance>", "genesis account (repeatable)", account)
    .addOption(
      new Option("--rpc-port <port>", "CometBFT RPC port on 127.0.0.1").argParser(port).default(26657),
    )
    .addOption(
      new Option("--p2p-port <port>", "CometBFT p2p port on 127.0.0.1").argParser(port).default(26656),
    )
    .addOption(
      new Option("--prometheus-port <port>", "CometBFT Prometheus metrics port on 127.0.0.1")
        .argParser(port)
        .default(26660),
    )
    .addOption(
      new Option("--block-time <ms>", "pause after each commit").argParser(positiveInt).default(1000),
    )
    .action(async (options: InitOptions) => {
      const paths = homePaths(options.home);
      await initCometHome(options.home);
      const key = ValidatorKey.load(paths.validatorKey);
      const consensusPubKey = Buffer.from(key.publicKey).toString("base64");
      if (options.operator !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(options.operator)) {
        throw new InvalidArgumentError(`--operator ${JSON.stringify(options.operator)} is not a 0x address`);
      }
      const deposit = BigInt(options.deposit);
      const accounts = options.account ?? [];
      const appState = buildGenesisAppState({
        accounts:
          options.operator === undefined || accounts.some((a) => a.address === options.operator)
            ? accounts
            : [...accounts, { address: options.operator, balance: deposit }],
        validators:
          options.operator === undefined
            ? []
            : [{ operator: options.operator, consensusPubKey, deposit, moniker: options.moniker }],
      });
      writeGenesisDoc(
        paths.genesis,
        newGenesisDoc({
          chainId: options.chainId,
          validators: [{ publicKey: key.publicKey, power: 10n, name: options.moniker }],
          appState,
        }),
      );
      configureCometHome(options.home, {
        moniker: options.moniker,
        proxyApp: `unix://${paths.abciSocket}`,
        rpcPort: options.rpcPort,
        p2pPort: options.p2pPort,
        prometheusPort: options.prometheusPort,
        timeoutCommitMs: options.blockTime,
      });
      const summary = {
        home: options.home,
        chainId: options.chainId,
        nodeId: readNodeId(options.home),
        validatorAddress: key.addressHex,
        rpc: `http://127.0.0.1:${options.rpcPort}`,
        abci: `unix://${paths.abciSocket}`,
      };
      if (output() === "json") process.stdout.write(JSON.stringify(summary) + "\n");
      else {
        for (const [k, v] of Object.entries(summary)) process.stdout.write(`${k.padEnd(17)} ${v}\n`);
        if (options.operator === undefined) {
          process.stdout.write("note: no --operator, so genesis has no staking validator record\n");
        }
      }
    });

  chain
    .command("start")
    .description(
      "serve the Uranus app to this home's CometBFT node over ABCI, or produce blocks alone with --solo",
    )
    .requiredOption("--home <dir>", "CometBFT home directory (from `uranus chain init`)")
    .option("--solo", "produce blocks without CometBFT and serve a CometBFT-compatible RPC")
    .option("--abci <address>", "ABCI listen address (default: the home's proxy_app)")
    .addOption(
      new Option("--rpc-port <port>", "solo RPC port (default: the home's rpc laddr)").argParser(port),
    )
    .addOption(
      new Option("--block-time <ms>", "solo: time between blocks").argParser(positiveInt).default(1000),
    )
    .option("--produce-on-tx", "solo: start a block as soon as txs arrive")
    .option("--no-empty-blocks", "solo: skip blocks without txs")
    .option(
      "--explorer <host:port>",
      "serve the explorer page here (a busy default port falls back to a free one)",
      DEFAULT_EXPLORER_ADDRESS,
    )
    .option("--no-explorer", "do not serve the explorer page")
    .action(async (options: StartOptions) => {
      if (!existsSync(configPath(options.home))) {
        throw new Error(
          `${options.home} is not a CometBFT home (no config/config.toml); create it with \`uranus chain init --home ${options.home}\``,
        );
      }
      const logger = pino({ name: "uranus-sidecar" });
      const app = await openHomeApp(options.home, logger);
      const code = await serveUntilSignal(
        (onFatal) =>
          withExplorer(
            options.solo === true
              ? startSoloSidecar({
                  home: options.home,
                  app,
                  logger,
                  rpcPort: options.rpcPort,
                  blockIntervalMs: options.blockTime,
                  produceOnTx: options.produceOnTx,
                  createEmptyBlocks: options.emptyBlocks,
                  onFatal,
                })
              : startAbciSidecar({ home: options.home, app, logger, abciAddress: options.abci, onFatal }),
            {
              listen: options.explorer,
              rpcUrl: (running) => (options.solo === true ? running.address : rpcListenAddress(options.home)),
              logger: logger.child({ component: "explorer" }),
            },
          ),
        logger,
      );
      // A fatal error was logged; end now rather than risk a half-alive sidecar that CometBFT keeps dialing.
      if (code !== 0) process.exit(code);
    });
}
