// `uranus scheduler-extender`: runs the extender until SIGTERM or SIGINT.
import { InvalidArgumentError, type Command } from "commander";
import { pino } from "pino";
import { DEFAULT_PLACEMENT_PARAMS } from "../chain-sidecar/modules/poc/poc-types.js";
import { KubeAccess } from "../kube-runtime/kube-config.js";
import { DEFAULT_MAX_BODY_BYTES } from "./http-server.js";
import { DEFAULT_SCU_UNIT } from "../units/pod-scu.js";
import { startSchedulerExtender } from "./scheduler-extender.js";

interface ExtenderCommandOptions {
  listen: string;
  kubeconfig?: string;
  maxBodyBytes: number;
  tierWeights: number[];
  scuCpu: string;
  scuMemory: string;
  scuStorage: string;
  logLevel: string;
}

function parseListen(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(":");
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(value.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`expected host:port such as 127.0.0.1:8888, got ${JSON.stringify(value)}`);
  }
  return { host, port };
}

function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) {
    throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return number;
}

function parseWeights(value: string): number[] {
  return value.split(",").map((part) => parsePositiveInteger(part.trim()));
}

export function registerSchedulerExtenderCommands(program: Command): void {
  program
    .command("scheduler-extender")
    .description(
      "Serve kube-scheduler's filter and prioritize calls: contributor health, price, region, SCU and PoC",
    )
    .option("--listen <host:port>", "address to serve on", "127.0.0.1:8888")
    .option("--kubeconfig <path>", "kubeconfig file; in-cluster or $KUBECONFIG when omitted")
    .option(
      "--max-body-bytes <bytes>",
      "refuse larger request bodies",
      parsePositiveInteger,
      DEFAULT_MAX_BODY_BYTES,
    )
    .option("--tier-weights <w0,w1,…>", "PoC tier weights, highest tier first", parseWeights, [
      ...DEFAULT_PLACEMENT_PARAMS.tierWeights,
    ])
    .option("--scu-cpu <quantity>", "CPU in one SCU", DEFAULT_SCU_UNIT.cpu)
    .option("--scu-memory <quantity>", "memory in one SCU", DEFAULT_SCU_UNIT.memory)
    .option("--scu-storage <quantity>", "ephemeral storage in one SCU", DEFAULT_SCU_UNIT.storage)
    .option("--log-level <level>", "pino log level", "info")
    .action(async (options: ExtenderCommandOptions) => {
      const { host, port } = parseListen(options.listen);
      // Not client-node's KubeConfig, whose module loads every generated API model (~70 MB never used here).
      const kubeConfig = KubeAccess.load(options.kubeconfig);
      const log = pino({ name: "scheduler-extender", level: options.logLevel });
      const extender = await startSchedulerExtender({
        kubeConfig,
        host,
        port,
        maxBodyBytes: options.maxBodyBytes,
        placement: { tierWeights: options.tierWeights },
        scuUnit: { cpu: options.scuCpu, memory: options.scuMemory, storage: options.scuStorage },
        log,
      });
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string): void => {
          log.info({ signal }, "stopping");
          resolve();
        };
        process.once("SIGTERM", shutdown);
        process.once("SIGINT", shutdown);
      });
      await extender.stop();
    });
}
