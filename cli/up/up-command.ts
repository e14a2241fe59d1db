// `uranus up`: its options, checked, and the call into up().
import { InvalidArgumentError, Option, type Command } from "commander";
import { up } from "./up.js";

interface UpCommandOptions {
  nodes: number;
  chain: "cometbft" | "solo";
  meteringInterval: string;
  stateDir?: string;
  clusters: number;
  realNodes: number;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole number`);
  return n;
}

/** Whole seconds or minutes: the chain's metering interval is counted in seconds. */
function milliseconds(value: string): number {
  const match = /^(\d+)(s|m)$/.exec(value.trim());
  if (match === null || Number(match[1]) === 0)
    throw new Error(`--metering-interval ${JSON.stringify(value)} is not a duration like 10s or 1m`);
  return Number(match[1]) * (match[2] === "m" ? 60_000 : 1_000);
}

function clusterCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not 1 or more`);
  return n;
}

const LINGER_MS = 5_000;

export function registerUpCommand(program: Command): void {
  program
    .command("up")
    .description(
      "run the whole of Uranus on this machine (control plane or the cluster in KUBECONFIG, chain, scheduler " +
        "extender, operator), apply the examples and wait until every contract runs and is settled; Ctrl-C stops all",
    )
    .addOption(
      new Option(
        "--nodes <count>",
        "contributor nodes to add beside the examples', each owned by a demo account",
      )
        .argParser(wholeNumber)
        .default(2),
    )
    .addOption(
      new Option(
        "--chain <kind>",
        "cometbft: one CometBFT validator with its sidecar; solo: the in-process chain",
      )
        .choices(["cometbft", "solo"])
        .default("cometbft"),
    )
    .addOption(
      new Option(
        "--metering-interval <duration>",
        "how often the operator settles running pods on chain",
      ).default("10s"),
    )
    .option("--state-dir <dir>", "where data and logs go (default: a temp dir); removed on stop")
    .addOption(
      new Option(
        "--clusters <n>",
        "with 2 or more: that many local clusters (cluster-1 … cluster-n, each with its own operator) federated " +
          "over a CometBFT testnet of n+1 validators; cluster-1 applies the examples, one of them run by another " +
          "cluster; --nodes then counts per cluster",
      )
        .argParser(clusterCount)
        .default(1),
    )
    .addOption(
      new Option(
        "--real-nodes <count>",
        "real nodes (kubelet + containerd, pods that really run) beside the kwok ones, where this machine can " +
          "(root, the packages hack/install-binaries.sh installs); 0 for kwok only. One cluster only",
      )
        .argParser(wholeNumber)
        .default(1),
    )
    .action(async (opts: UpCommandOptions) => {
      const kubeconfig = process.env.KUBECONFIG;
      // Everything started is stopped by now; a start-up step cut short by a crash may still hold a timer.
      const exitSoon = (): void => {
        setTimeout(() => process.exit(), LINGER_MS).unref();
      };
      await up({
        nodes: opts.nodes,
        chain: opts.chain,
        meteringIntervalMs: milliseconds(opts.meteringInterval),
        stateDir: opts.stateDir,
        clusters: opts.clusters,
        realNodes: opts.realNodes,
        kubeconfig: kubeconfig === undefined || kubeconfig === "" ? undefined : kubeconfig,
        json: program.opts<{ output: string }>().output === "json",
      }).finally(exitSoon);
    });
}
