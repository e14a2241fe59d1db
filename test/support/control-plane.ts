// The real control plane for integration suites: started on first use, once per run, stopped after all tests.
import { execFile } from "node:child_process";
import type { KubeConfig } from "@kubernetes/client-node";
import { binaryPath } from "../../hack/binaries.js";
import { startControlPlane, type ControlPlane } from "../../hack/control-plane.js";
import { onRunEnd } from "./fixtures.js";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SharedControlPlane {
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  controlPlane: ControlPlane;
  kubectl: (args: string[], input?: string) => Promise<CommandResult>;
}

let shared: Promise<SharedControlPlane> | undefined;

export function sharedControlPlane(): Promise<SharedControlPlane> {
  shared ??= start();
  return shared;
}

async function start(): Promise<SharedControlPlane> {
  const controlPlane = await startControlPlane({
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

export function run(command: string, args: string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}
