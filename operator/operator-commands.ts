// `uranus operator run`: the operator in the foreground until SIGINT/SIGTERM.
import { Command, InvalidArgumentError, Option } from "commander";
import { createLogger } from "../observability/logger.js";
import { startOperator } from "./start-operator.js";
import { DEFAULT_SETTINGS, type OperatorSettings } from "./operator-settings.js";
import { limitHeapGrowth } from "../kube-runtime/heap-tuning.js";
import { KubeAccess } from "../kube-runtime/kube-config.js";

interface RunOptions {
  kubeconfig?: string;
  chainRpc: string;
  namespace: string;
  watchNamespace?: string;
  contributorSelector?: string;
  operatorKeySecret: string;
  contributorKeysSecret: string;
  healthAddress: string;
  leaderElect: boolean;
  heartbeatInterval: number;
  meteringInterval: number;
  contractPoll: number;
  blockPoll: number;
  workers: number;
  podGracePeriod?: number;
  clusterId: string;
  federate: boolean;
  regions: string[];
  isolation: string[];
  endpointHost: string;
  portRange: [number, number];
  logLevel: string;
}

function milliseconds(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (match === null)
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a duration like 500ms, 10s or 1m`);
  const scale = match[2] === "ms" ? 1 : match[2] === "m" ? 60_000 : 1_000;
  const ms = Math.round(Number(match[1]) * scale);
  if (ms <= 0) throw new InvalidArgumentError(`${JSON.stringify(value)} must be greater than zero`);
  return ms;
}

function portRange(value: string): [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(value.trim());
  const [first, last] = match === null ? [NaN, NaN] : [Number(match[1]), Number(match[2])];
  if (!(first >= 1 && last <= 65_535 && first <= last))
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a port range like 30000-32767`);
  return [first, last];
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a positive integer`);
  return n;
}

export function registerOperatorCommands(program: Command): void {
  const operator = program.command("operator").description("the Uranus Kubernetes operator");
  operator
    .command("run")
    .description(
      "reconcile ContributorNodes, ComputeContracts and PowerContainers and meter their pods on chain",
    )
    .option("--kubeconfig <file>", "kubeconfig (default: $KUBECONFIG, ~/.kube/config or in-cluster)")
    .option("--chain-rpc <url>", "CometBFT RPC of the chain sidecar", "http://127.0.0.1:26657")
    .option(
      "--namespace <ns>",
      "the operator's namespace (key Secrets, leader Lease)",
      process.env.POD_NAMESPACE ?? "uranus-system",
    )
    .option("--watch-namespace <ns>", "only contracts, containers and pods in this namespace")
    .option("--contributor-selector <selector>", "only ContributorNodes matching this label selector")
    .option(
      "--operator-key-secret <name/key>",
      "Secret and entry of the operator's key",
      "uranus-operator-key/privateKey",
    )
    .option(
      "--contributor-keys-secret <name>",
      "Secret of contributor owner keys",
      DEFAULT_SETTINGS.contributorKeysSecret,
    )
    .option("--health-address <host:port>", "/healthz, /readyz and /metrics", ":8081")
    .option("--no-leader-elect", "run without competing for the leader Lease")
    .addOption(
      new Option(
        "--heartbeat-interval <duration>",
        "how often every Ready node is heartbeaten (one HeartbeatBatch tx per 500 nodes)",
      )
        .argParser(milliseconds)
        .default(DEFAULT_SETTINGS.heartbeatIntervalMs, "10s"),
    )
    .addOption(
      new Option("--metering-interval <duration>", "one metering batch per contributor per interval")
        .argParser(milliseconds)
        .default(DEFAULT_SETTINGS.meteringIntervalMs, "60s"),
    )
    .addOption(
      new Option("--contract-poll <duration>", "how often each contract's escrow is read")
        .argParser(milliseconds)
        .default(DEFAULT_SETTINGS.contractPollMs, "15s"),
    )
    .addOption(
      new Option("--block-poll <duration>", "how often new blocks are looked for")
        .argParser(milliseconds)
        .default(200, "200ms"),
    )
    .addOption(
      new Option("--workers <n>", "parallel reconciles per controller")
        .argParser(positiveInt)
        .default(DEFAULT_SETTINGS.workers),
    )
    .addOption(
      new Option(
        "--pod-grace-period <seconds>",
        "grace period of pods the operator retires (default: the pod's)",
      ).argParser((value) => (value === "0" ? 0 : positiveInt(value))),
    )
    .option(
      "--cluster-id <id>",
      "this cluster's id in a federation (a DNS label); chain records name it with each object's UID",
      DEFAULT_SETTINGS.clusterId,
    )
    .option(
      "--federate",
      "join the federation as --cluster-id: register on chain, heartbeat, and run other clusters' orders",
      false,
    )
    .addOption(
      new Option("--regions <list>", "regions this member offers (comma-separated)")
        .argParser(list)
        .default([]),
    )
    .addOption(
      new Option("--isolation <list>", "isolation this member offers (comma-separated)")
        .argParser(list)
        .default(["runc"], "runc"),
    )
    .option(
      "--endpoint-host <host>",
      "where other clusters reach the workloads this member runs",
      "127.0.0.1",
    )
    .addOption(
      new Option("--port-range <first-last>", "ports this member exposes workloads on")
        .argParser(portRange)
        .default([30000, 32767], "30000-32767"),
    )
    .option("--log-level <level>", "trace, debug, info, warn or error", "info")
    .action(async (options: RunOptions) => {
      // First, before the heap grows: a long-running operator keeps little of what it allocates.
      const heapFlags = limitHeapGrowth();
      const [secretName, secretKey] = options.operatorKeySecret.split("/");
      if (secretName === undefined || secretName === "" || secretKey === undefined || secretKey === "")
        throw new InvalidArgumentError("--operator-key-secret must be <secret name>/<entry>");
      // Not client-node's KubeConfig: its module loads every generated API model (~70 MB the operator never uses).
      const kubeConfig = KubeAccess.load(options.kubeconfig);
      const settings: OperatorSettings = {
        namespace: options.namespace,
        operatorKeySecret: { name: secretName, key: secretKey },
        contributorKeysSecret: options.contributorKeysSecret,
        watchNamespace: options.watchNamespace,
        contributorSelector: options.contributorSelector,
        heartbeatIntervalMs: options.heartbeatInterval,
        contractPollMs: options.contractPoll,
        meteringIntervalMs: options.meteringInterval,
        workers: options.workers,
        podGracePeriodSeconds: options.podGracePeriod,
        clusterId: options.clusterId,
      };
      if (options.federate) {
        if (options.clusterId === "") throw new InvalidArgumentError("--federate needs --cluster-id");
        settings.federation = {
          regions: options.regions,
          isolation: options.isolation,
          endpointHost: options.endpointHost,
          portFirst: options.portRange[0],
          portLast: options.portRange[1],
        };
      }
      const logger = createLogger({ level: options.logLevel });
      if (heapFlags.length > 0) logger.info({ v8Flags: heapFlags }, "V8 heap sizing favours memory");
      const running = await startOperator({
        kubeConfig,
        chainEndpoint: options.chainRpc,
        settings,
        logger,
        healthAddress: options.healthAddress,
        leaderElection: options.leaderElect,
        blockPollMs: options.blockPoll,
      });
      logger.info({ health: running.runtime.healthUrl, chain: options.chainRpc }, "operator running");
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      logger.info("operator stopping");
      await running.stop();
    });
}
