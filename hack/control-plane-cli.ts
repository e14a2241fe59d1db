// `hack/control-plane.sh up|down|nodes N`: a local control plane that outlives this command, stopped by pid.
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startControlPlane, stopControlPlaneInDir } from "../local-cluster/control-plane.js";
import { createFakeNodes } from "../local-cluster/fake-nodes.js";

const dir = process.env.URANUS_STATE_DIR ?? join(tmpdir(), "uranus-control-plane");
const [command, arg] = process.argv.slice(2);

async function main(): Promise<void> {
  switch (command) {
    case "up": {
      await stopControlPlaneInDir(dir);
      mkdirSync(dir, { recursive: true });
      const cp = await startControlPlane({
        dir,
        removeDirOnStop: true,
        progress: (line) => console.log(line),
      });
      // Children run in their own process groups and keep running after we exit.
      for (const p of cp.processes) p.child.unref();
      console.log(`export KUBECONFIG=${cp.kubeconfigPath}`);
      break;
    }
    case "down": {
      const stopped = await stopControlPlaneInDir(dir);
      console.log(stopped ? `stopped the control plane in ${dir}` : `no control plane running in ${dir}`);
      break;
    }
    case "nodes": {
      const count = Number(arg ?? "3");
      if (!Number.isInteger(count) || count < 1)
        throw new Error(`nodes: count must be a positive integer, got ${arg}`);
      const kc = new KubeConfig();
      kc.loadFromFile(join(dir, "kubeconfig"));
      const names = await createFakeNodes(kc, { count });
      console.log(`created ${names.length} nodes: ${names.join(", ")}`);
      break;
    }
    default:
      throw new Error(`usage: hack/control-plane.sh up|down|nodes N (state in ${dir})`);
  }
}

main().catch((error: unknown) => {
  console.error(`control-plane: ${(error as Error).message}`);
  process.exitCode = 1;
});
