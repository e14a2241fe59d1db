// `hack/control-plane.sh up [--real-nodes N]|down|nodes N`: a local control plane that outlives this command, stopped
// by pid; real nodes (containerd + kubelet, with kube-proxy and CoreDNS) need root, and without it the control plane
// comes up with kwok only.
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startControlPlane, stopControlPlaneInDir } from "../local-cluster/control-plane.js";
import { createFakeNodes } from "../local-cluster/fake-nodes.js";

const dir = process.env.URANUS_STATE_DIR ?? join(tmpdir(), "uranus-control-plane");
const [command, arg, count] = process.argv.slice(2);

function positiveCount(text: string | undefined, what: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${what}: count must be a positive integer, got ${text}`);
  return value;
}

async function main(): Promise<void> {
  switch (command) {
    case "up": {
      if (arg !== undefined && arg !== "--real-nodes") throw new Error(`up: unknown option ${arg}`);
      const realNodes = arg === undefined ? 0 : positiveCount(count, "--real-nodes");
      await stopControlPlaneInDir(dir);
      mkdirSync(dir, { recursive: true });
      const cp = await startControlPlane({
        dir,
        removeDirOnStop: true,
        realNodes,
        progress: (line) => console.log(line),
      });
      // Children run in their own process groups and keep running after we exit.
      const nodeProcesses = cp.realNodes.flatMap((node) => node.processes);
      for (const p of [...cp.processes, ...nodeProcesses, ...(cp.nodeServices?.processes ?? [])])
        p.child.unref();
      if (cp.realNodes.length > 0) {
        console.log(`real nodes: ${cp.realNodes.map((node) => node.name).join(", ")}`);
        console.log(`cluster DNS (cluster.local): ${cp.nodeServices?.dnsAddresses.join(", ") ?? "none"}`);
        const images = cp.images === undefined ? [] : [cp.images.pause, cp.images.web, cp.images.burner];
        for (const image of images) console.log(`image: ${image.reference}`);
      }
      console.log(`export KUBECONFIG=${cp.kubeconfigPath}`);
      break;
    }
    case "down": {
      const stopped = await stopControlPlaneInDir(dir);
      console.log(stopped ? `stopped the control plane in ${dir}` : `no control plane running in ${dir}`);
      break;
    }
    case "nodes": {
      const kc = new KubeConfig();
      kc.loadFromFile(join(dir, "kubeconfig"));
      const names = await createFakeNodes(kc, { count: positiveCount(arg ?? "3", "nodes") });
      console.log(`created ${names.length} nodes: ${names.join(", ")}`);
      break;
    }
    default:
      throw new Error(`usage: hack/control-plane.sh up [--real-nodes N]|down|nodes N (state in ${dir})`);
  }
}

main().catch((error: unknown) => {
  console.error(`control-plane: ${(error as Error).message}`);
  process.exitCode = 1;
});
