// The operator as its own process (`uranus operator run`), for tests that kill it or measure its memory.
import { startProcess, type ManagedProcess } from "../../../../hack/managed-process.js";
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
  } = {},
): ManagedProcess {
  return startProcess(
    "uranus-operator",
    process.execPath,
    [
      "cli/uranus.js",
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
      "--log-level=warn",
    ],
    { logFile },
  );
}
