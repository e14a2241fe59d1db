// `uranus up`: the whole system on this machine (or on the cluster KUBECONFIG names) until Ctrl-C.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import type { Command } from "commander";
import { parseAllDocuments } from "yaml";
import type { ContributorNode } from "../crds/types.js";
import { installCrds } from "../crds/install.js";
import { binaryPath } from "../hack/binaries.js";
import { startControlPlane, type ControlPlane } from "../hack/control-plane.js";
import { createFakeNodes } from "../hack/fake-nodes.js";
import { run } from "../hack/run-command.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface UpOptions {
  nodes: number;
  stateDir?: string;
  /** Resolves when the system should stop (Ctrl-C by default). */
  until?: Promise<void>;
  progress?: (line: string) => void;
}

export interface UpResult {
  kubeconfigPath: string;
  appliedFiles: string[];
}

export async function up(options: UpOptions): Promise<UpResult> {
  const say = options.progress ?? ((line: string) => console.log(line));
  const stopRequested = options.until ?? untilSignal();
  let controlPlane: ControlPlane | undefined;
  let kubeconfigPath = process.env.KUBECONFIG;
  try {
    if (kubeconfigPath === undefined || kubeconfigPath === "") {
      say("starting a local control plane (etcd, kube-apiserver, controller manager, scheduler, kwok)");
      controlPlane = await startControlPlane({
        ...(options.stateDir === undefined ? {} : { dir: options.stateDir, removeDirOnStop: true }),
        progress: (line) => say(`  ${line}`),
      });
      kubeconfigPath = controlPlane.kubeconfigPath;
    } else {
      say(`using the cluster in KUBECONFIG=${kubeconfigPath}`);
    }
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);

    say("installing the Uranus CRDs");
    await installCrds(kubeConfig);

    const appliedFiles = exampleFiles();
    if (controlPlane !== undefined) {
      const offered = contributorNodesIn(appliedFiles);
      await createFakeNodes(kubeConfig, {
        names: offered.map((node) => node.nodeName),
        labels: (i) => ({ "topology.kubernetes.io/region": offered[i]!.region }),
      });
      const extra = await createFakeNodes(kubeConfig, { count: options.nodes, namePrefix: "spare-node" });
      say(`created kwok nodes: ${[...offered.map((node) => node.nodeName), ...extra].join(", ")}`);
    }

    const kubectl = binaryPath("kubectl");
    for (const file of appliedFiles) {
      const result = await run(kubectl, ["--kubeconfig", kubeconfigPath, "apply", "-f", file]);
      if (result.code !== 0) throw new Error(`kubectl apply -f ${file} failed: ${result.stderr.trim()}`);
      say(`applied ${file.slice(root.length + 1)}`);
    }
    const table = await run(kubectl, ["--kubeconfig", kubeconfigPath, "get", "uranus", "-A"]);
    say(table.stdout.trimEnd());
    say(`\nready. export KUBECONFIG=${kubeconfigPath} to use kubectl; press Ctrl-C to stop.`);

    await stopRequested;
    return { kubeconfigPath, appliedFiles };
  } finally {
    if (controlPlane !== undefined) {
      say("stopping the local control plane");
      await controlPlane.stop();
    }
  }
}

function exampleFiles(): string[] {
  const dir = join(root, "examples");
  const files: string[] = [];
  const walk = (path: string): void => {
    for (const entry of readdirSync(path).sort()) {
      const full = join(path, entry);
      // GitOps samples are applied by a GitOps tool, not here.
      if (statSync(full).isDirectory()) {
        if (entry !== "gitops") walk(full);
      } else if (/\.ya?ml$/.test(entry)) files.push(full);
    }
  };
  walk(dir);
  return files;
}

// The handler stays installed while we stop, so a second Ctrl-C cannot kill us halfway and orphan processes.
/** The Nodes that the example ContributorNodes offer, so the local cluster has them. */
function contributorNodesIn(files: string[]): { nodeName: string; region: string }[] {
  return files
    .flatMap((file) => parseAllDocuments(readFileSync(file, "utf8")).map((doc) => doc.toJS() as unknown))
    .filter((doc): doc is ContributorNode => (doc as { kind?: string } | null)?.kind === "ContributorNode")
    .map((node) => ({ nodeName: node.spec.nodeName, region: node.spec.region }));
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (): void => {
      if (received) {
        console.log("still stopping; every process we started will be stopped");
        return;
      }
      received = true;
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

export function registerUpCommand(program: Command): void {
  program
    .command("up")
    .description(
      "run Uranus on this machine (a local control plane, or the cluster in KUBECONFIG) until Ctrl-C",
    )
    .option("--nodes <count>", "spare kwok nodes to add beside the example contributors' nodes", "2")
    .option("--state-dir <dir>", "where the local control plane keeps its data (default: a temp dir)")
    .action(async (opts: { nodes: string; stateDir?: string }) => {
      const nodes = Number(opts.nodes);
      if (!Number.isInteger(nodes) || nodes < 0)
        throw new Error(`--nodes must be a whole number, got ${opts.nodes}`);
      await up({ nodes, ...(opts.stateDir === undefined ? {} : { stateDir: opts.stateDir }) });
    });
}
