// `uranus chain init|start|compact`: create a CometBFT home for the Uranus chain, run its sidecar, shrink its state file.
import { existsSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { pino } from "pino";
import { buildGenesisAppState } from "../genesis/app-state.js";
import { DEFAULT_EXPLORER_ADDRESS, withExplorer } from "../explorer/sidecar-explorer.js";
import { configPath, configureCometHome, rpcListenAddress } from "./cometbft-config.js";
import { homePaths, initCometHome, readNodeId } from "./cometbft-home.js";
import { newGenesisDoc, writeGenesisDoc } from "../genesis/genesis-doc.js";
import {
  checkJoin,
  joinNetwork,
  NODE_ROLES,
  parseExternalAddress,
  parsePeers,
  parseRpcServers,
  stateSyncSettings,
  type NodeRole,
} from "./network-join.js";
import { DEFAULT_SNAPSHOT_OPTIONS } from "../snapshots/state-snapshots.js";
import { compactStateFile } from "../state/state-compaction.js";
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

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole number`);
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
  listenHost: string;
  blockTime: number;
  genesis?: string;
  role: NodeRole;
  persistentPeers?: string[];
  externalAddress?: string;
  privValidatorKey?: string;
  nodeKey?: string;
  stateSync?: string[];
}

function listenHost(value: string): string {
  if (!/^[A-Za-z0-9.:-]+$/.test(value))
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a host`);
  return value;
}

/** A fresh genesis of this node's own, whose one validator is this home's key. */
function writeOwnGenesis(options: InitOptions, key: ValidatorKey): void {
  if (options.operator !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(options.operator)) {
    throw new Error(`--operator ${JSON.stringify(options.operator)} is not a 0x address`);
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
        : [
            {
              operator: options.operator,
              consensusPubKey: Buffer.from(key.publicKey).toString("base64"),
              deposit,
              moniker: options.moniker,
            },
          ],
  });
  writeGenesisDoc(
    homePaths(options.home).genesis,
    newGenesisDoc({
      chainId: options.chainId,
      validators: [{ publicKey: key.publicKey, power: 10n, name: options.moniker }],
      appState,
    }),
  );
}

interface StartOptions {
  home: string;
  solo?: boolean;
  abci?: string;
  rpcPort?: number;
  blockTime: number;
  produceOnTx?: boolean;
  emptyBlocks?: boolean;
  explorer: string | false;
  snapshotInterval: number;
  snapshotKeep: number;
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
      new Option("--p2p-port <port>", "CometBFT p2p port (on --listen-host)").argParser(port).default(26656),
    )
    .addOption(
      new Option("--prometheus-port <port>", "CometBFT Prometheus metrics port (on --listen-host)")
        .argParser(port)
        .default(26660),
    )
    .addOption(
      new Option(
        "--listen-host <host>",
        "where p2p and Prometheus listen (0.0.0.0 to be reached from other machines); RPC stays on 127.0.0.1",
      )
        .argParser(listenHost)
        .default("127.0.0.1"),
    )
    .addOption(
      new Option("--block-time <ms>", "pause after each commit").argParser(positiveInt).default(1000),
    )
    .addOption(
      new Option(
        "--genesis <file>",
        "join the network of this genesis.json (copied as is) instead of making a new chain; safe to repeat on every start",
      ).conflicts(["chainId", "operator", "deposit", "account"]),
    )
    .addOption(
      new Option(
        "--role <role>",
        "with --genesis: validator (may take --priv-validator-key) or full (refuses one)",
      )
        .choices(NODE_ROLES)
        .default("validator"),
    )
    .addOption(
      new Option("--persistent-peers <list>", "NODE_ID@HOST:PORT,… to stay connected to").argParser(
        parsePeers,
      ),
    )
    .addOption(
      new Option("--external-address <host:port>", "the p2p address peers dial to reach this node").argParser(
        parseExternalAddress,
      ),
    )
    .option(
      "--priv-validator-key <file>",
      "with --genesis: priv_validator_key.json to sign with, used when the file exists (e.g. an optional Secret)",
    )
    .option("--node-key <file>", "with --genesis: node_key.json (p2p identity), used when the file exists")
    .addOption(
      new Option(
        "--state-sync <rpc-urls>",
        "with --genesis: restore a peer's snapshot instead of replaying from genesis; two CometBFT RPC URLs of the network, the first one's latest block trusted",
      ).argParser(parseRpcServers),
    )
    .action(async (options: InitOptions) => {
      const paths = homePaths(options.home);
      const join =
        options.genesis === undefined
          ? undefined
          : checkJoin({
              genesis: options.genesis,
              role: options.role,
              privValidatorKey: options.privValidatorKey,
              nodeKey: options.nodeKey,
            });
      if (join === undefined && (options.privValidatorKey ?? options.nodeKey) !== undefined)
        throw new Error("--priv-validator-key and --node-key go with --genesis");
      if (join === undefined && options.role === "full")
        throw new Error("--role full joins a network: give its --genesis");
      if (join === undefined && options.stateSync !== undefined)
        throw new Error("--state-sync joins a network: give its --genesis");
      await initCometHome(options.home);
      const joined = join === undefined ? undefined : joinNetwork(options.home, join);
      const key = ValidatorKey.load(paths.validatorKey);
      if (join === undefined) writeOwnGenesis(options, key);
      configureCometHome(options.home, {
        moniker: options.moniker,
        proxyApp: `unix://${paths.abciSocket}`,
        rpcPort: options.rpcPort,
        p2pPort: options.p2pPort,
        prometheusPort: options.prometheusPort,
        listenHost: options.listenHost,
        externalAddress: options.externalAddress,
        persistentPeers: options.persistentPeers,
        timeoutCommitMs: options.blockTime,
        stateSync:
          options.stateSync === undefined
            ? undefined
            : await stateSyncSettings(options.home, options.stateSync),
      });
      const consensusPubKey = Buffer.from(key.publicKey).toString("base64");
      const summary = {
        home: options.home,
        chainId: join?.genesis.chain_id ?? options.chainId,
        nodeId: readNodeId(options.home),
        validatorAddress: key.addressHex,
        validatorPubKey: consensusPubKey,
        ...(joined === undefined ? {} : { role: options.role, validatorKey: joined.validatorKeyFrom }),
        rpc: `http://127.0.0.1:${options.rpcPort}`,
        abci: `unix://${paths.abciSocket}`,
      };
      if (output() === "json") process.stdout.write(JSON.stringify(summary) + "\n");
      else {
        for (const [k, v] of Object.entries(summary)) process.stdout.write(`${k.padEnd(17)} ${v}\n`);
        if (join === undefined && options.operator === undefined) {
          process.stdout.write("note: no --operator, so genesis has no staking validator record\n");
        }
        const inGenesis = join?.genesis.validators.some((v) => v.pub_key.value === consensusPubKey);
        if (join !== undefined && options.role === "validator" && inGenesis === false) {
          process.stdout.write(
            `note: to validate, register this key: uranus tx register-validator --consensus-pubkey ${consensusPubKey} --deposit …\n`,
          );
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
    .option(
      "--empty-blocks",
      "solo: a block every --block-time even without txs (default: only for txs, and the block after a state change)",
    )
    .option(
      "--explorer <host:port>",
      "serve the explorer page here (a busy default port falls back to a free one)",
      DEFAULT_EXPLORER_ADDRESS,
    )
    .option("--no-explorer", "do not serve the explorer page")
    .addOption(
      new Option("--snapshot-interval <blocks>", "a state sync snapshot every this many blocks; 0 takes none")
        .argParser(wholeNumber)
        .default(DEFAULT_SNAPSHOT_OPTIONS.interval),
    )
    .addOption(
      new Option("--snapshot-keep <count>", "how many of the newest snapshots stay on disk")
        .argParser(positiveInt)
        .default(DEFAULT_SNAPSHOT_OPTIONS.keep),
    )
    .action(async (options: StartOptions) => {
      if (!existsSync(configPath(options.home))) {
        throw new Error(
          `${options.home} is not a CometBFT home (no config/config.toml); create it with \`uranus chain init --home ${options.home}\``,
        );
      }
      const logger = pino({ name: "uranus-sidecar" });
      const app = await openHomeApp(options.home, logger, {
        interval: options.snapshotInterval,
        keep: options.snapshotKeep,
      });
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

  chain
    .command("compact")
    .description(
      "rewrite a stopped node's state file with only its live pages (after pruning, it keeps its old size)",
    )
    .requiredOption("--home <dir>", "CometBFT home directory (from `uranus chain init`)")
    .action(async (options: { home: string }) => {
      const dataDir = homePaths(options.home).appData;
      if (!existsSync(dataDir)) throw new Error(`${options.home} has no app state (${dataDir} is missing)`);
      const result = await compactStateFile(dataDir);
      if (output() === "json") process.stdout.write(JSON.stringify({ dataDir, ...result }) + "\n");
      else {
        const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
        process.stdout.write(
          `state file ${mb(result.beforeBytes)} -> ${mb(result.afterBytes)} (${dataDir})\n`,
        );
      }
    });
}
