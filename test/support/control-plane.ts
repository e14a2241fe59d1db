// The real control plane for integration suites: started on first use, once per run, stopped after all tests.
import type { KubeConfig } from "@kubernetes/client-node";
import { binaryPath } from "../../process/binaries.js";
import { startControlPlane, type ControlPlane } from "../../local-cluster/control-plane.js";
import { run, type CommandResult } from "../../process/run-command.js";
import { onRunEnd } from "./fixtures.js";

export type { CommandResult };

export interface SharedControlPlane {
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  controlPlane: ControlPlane;
  kubectl: (args: string[], input?: string) => Promise<CommandResult>;
}

let shared: Promise<SharedControlPlane> | undefined;

/** The first caller's options hold for the run. */
export function sharedControlPlane(options: { profiling?: boolean } = {}): Promise<SharedControlPlane> {
  shared ??= start(options);
  return shared;
}

async function start(options: { profiling?: boolean }): Promise<SharedControlPlane> {
  const controlPlane = await startControlPlane({
    ...options,
    progress: process.env.URANUS_TEST_VERBOSE
      ? (line) => console.log(`      [control plane] ${line}`)
      : undefined,
  });
  onRunEnd(() => controlPlane.stop());
  const kubectlPath = binaryPath("kubectl");
  return {
    kubeconfigPath: controlPlane.kubeconfigPath,
    kubeConfig: controlPlane.kubeConfig,
    controlPlane,
    kubectl: (args, input) => run(kubectlPath, ["--kubeconfig", controlPlane.kubeconfigPath, ...args], input),
  };
}
