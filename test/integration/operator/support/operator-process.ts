// The operator as its own process (`uranus operator run`), for tests that kill it or measure its memory.
import { startProcess, type ManagedProcess } from "../../../../process/managed-process.js";
import type { OperatorWorld } from "./operator-world.js";

export function startOperatorProcess(
  world: OperatorWorld,
  logFile: string,
  options: {
    heartbeat?: string;
    metering?: string;
    contractPoll?: string;
    workers?: number;
    health?: string;
    /** The CLI to run: the checkout through tsx (default) or the build (`dist/cli/uranus-main.js`). */
    entry?: string;
  } = {},
): ManagedProcess {
  return startProcess(
    "uranus-operator",
    process.execPath,
    [
      // URANUS_OPERATOR_CPU_PROFILE=dir writes the operator's V8 CPU profile there when it stops (for benchmarks).
      ...(process.env.URANUS_OPERATOR_CPU_PROFILE === undefined
        ? []
        : ["--cpu-prof", `--cpu-prof-dir=${process.env.URANUS_OPERATOR_CPU_PROFILE}`]),
      options.entry ?? "cli/uranus.js",
      "operator",
      "run",
      `--kubeconfig=${world.kube.kubeconfigPath}`,
      `--chain-rpc=${world.chain.rpcUrl}`,
      `--namespace=${world.operatorNamespace}`,
      `--watch-namespace=${world.namespace}`,
      `--contributor-selector=${world.settings.contributorSelector}`,
      `--heartbeat-interval=${options.heartbeat ?? "2s"}`,
      `--metering-interval=${options.metering ?? "3s"}`,
      `--contract-poll=${options.contractPoll ?? "2s"}`,
      "--block-poll=100ms",
      "--pod-grace-period=1",
      `--workers=${options.workers ?? 8}`,
      `--health-address=${options.health ?? "127.0.0.1:0"}`,
      "--no-leader-elect",
      // URANUS_OPERATOR_PROCESS_LOG=debug keeps the operator process's log detailed (it goes to logFile).
      `--log-level=${process.env.URANUS_OPERATOR_PROCESS_LOG ?? "warn"}`,
    ],
    { logFile },
  );
}
