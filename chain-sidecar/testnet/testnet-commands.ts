// `uranus testnet`: N CometBFT validators with Uranus sidecars on this machine; `uranus testnet down` stops them.
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { buildUranusGenesis } from "../genesis/validator-homes.js";
import { stopRecordedTestnet, Testnet } from "./testnet.js";
import { uranusSidecarLauncher } from "./uranus-sidecar-launcher.js";

export const DEFAULT_TESTNET_DIR = join(tmpdir(), "uranus-testnet");

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a positive integer`);
  return n;
}

interface UpOptions {
  validators: number;
  dir?: string;
  chainId: string;
  blockTime: number;
  detach?: boolean;
}

export function registerTestnetCommands(program: Command): void {
  const json = (): boolean => program.opts<{ output: string }>().output === "json";
  const testnet = program
    .command("testnet")
    .description(
      "run N CometBFT validators with Uranus sidecars on 127.0.0.1 (Ctrl-C stops and removes them)",
    )
    .addOption(new Option("--validators <n>", "number of validators").argParser(positiveInt).default(4))
    .option(
      "--dir <dir>",
      "where the node homes go (default: a fresh temporary directory; with --detach, " +
        DEFAULT_TESTNET_DIR +
        ")",
    )
    .option("--chain-id <id>", "chain id", "uranus-testnet")
    .addOption(
      new Option("--block-time <ms>", "pause after each commit").argParser(positiveInt).default(1000),
    )
    .option("--detach", "leave the testnet running and return; stop it with `uranus testnet down`")
    .action(async (options: UpOptions) => {
      const dir = options.dir ?? (options.detach === true ? DEFAULT_TESTNET_DIR : undefined);
      if (dir !== undefined && existsSync(join(dir, "testnet.json"))) {
        throw new Error(
          `a testnet is already recorded in ${dir}; run \`uranus testnet down --dir ${dir}\` first`,
        );
      }
      const net = await Testnet.create({
        validators: options.validators,
        launcher: uranusSidecarLauncher,
        appGenesis: (_chainId, validators) => buildUranusGenesis(validators),
        dir,
        chainId: options.chainId,
        timeoutCommitMs: options.blockTime,
      });
      const report = (): void => {
        const nodes = net.nodes.map((n) => ({ name: n.name, rpc: n.rpcUrl, home: n.home, ...n.pids }));
        if (json()) process.stdout.write(JSON.stringify({ dir: net.dir, nodes }) + "\n");
        else for (const n of nodes) process.stdout.write(`${n.name}  ${n.rpc}  ${n.home}\n`);
      };
      try {
        if (!json()) process.stdout.write(`starting ${options.validators} validators in ${net.dir}\n`);
        await net.start(2);
      } catch (error) {
        await net.destroy();
        throw error;
      }
      report();
      if (options.detach === true) {
        net.detach();
        if (!json()) process.stdout.write(`running; stop with: uranus testnet down --dir ${net.dir}\n`);
        return;
      }
      if (!json()) process.stdout.write("running; Ctrl-C stops and removes it\n");
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      await net.destroy();
    });

  testnet
    .command("down")
    .description("stop a detached testnet's processes (by recorded pid) and remove its directory")
    .option("--dir <dir>", `the testnet's directory (default: ${DEFAULT_TESTNET_DIR})`)
    .action(async (_options: unknown, command: Command) => {
      // `--dir` after `down` is parsed by the parent command, which declares the same option.
      const dir = command.optsWithGlobals<{ dir?: string }>().dir ?? DEFAULT_TESTNET_DIR;
      const state = await stopRecordedTestnet(dir);
      if (json()) process.stdout.write(JSON.stringify({ stopped: state.nodes.map((n) => n.name) }) + "\n");
      else process.stdout.write(`stopped ${state.nodes.length} nodes; ${state.dir} cleaned up\n`);
    });
}
