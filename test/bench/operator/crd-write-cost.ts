// Benchmark (not part of npm test): kube-apiserver CPU per write of a ComputeContract, against a Pod, and against the
// same ComputeContract when its CRD carries no x-kubernetes-validations rules (every write, status ones included,
// evaluates the whole object's CEL rules). Each kind gets N creates, then 3 status merge patches per object.
//   npx tsx test/bench/operator/crd-write-cost.ts [objects=300]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify, parse } from "yaml";
import { startControlPlane } from "../../../local-cluster/control-plane.js";
import { installCrds } from "../../../crds/install.js";
import { CRD_DIRECTORY } from "../../../crds/directory.js";
import { KubeClient } from "../../../kube-runtime/kube-client.js";
import { NAMESPACE, POD } from "../../../kube-runtime/builtin-resources.js";
import type { KubeObject, ResourceType } from "../../../kube-runtime/resource.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import { API_VERSION, KIND } from "../../../crds/types.js";

const COUNT = Number(process.argv[2] ?? 300);
const CONCURRENCY = 20;
const STATUS_WRITES = 3;

async function inParallel(count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function contract(name: string, namespace: string): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: KIND.ComputeContract,
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      maxPricePerSCUHour: "2000",
      budget: "1000000000000",
      duration: "24h",
      sla: { recoverWithin: "10s" },
      payer: { secretRef: { name: "payer-key" } },
      template: {
        spec: {
          image: "registry.example/worker:1.0",
          size: { scu: 1 },
          contributorSpread: "none",
          executionPolicy: "IgnoredDuringExecution",
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: "bench/group", operator: "In", values: ["a"] }] },
                ],
              },
            },
          },
        },
      },
    },
  } as KubeObject;
}

function pod(name: string, namespace: string): KubeObject {
  return {
    metadata: { name, namespace },
    // A node that does not exist: the scheduler leaves the pod alone and no kubelet writes it.
    spec: { nodeName: "no-such-node", containers: [{ name: "main", image: "registry.example/worker:1.0" }] },
  } as KubeObject;
}

function status(kind: "pod" | "contract", i: number): object {
  return kind === "pod"
    ? { status: { conditions: [{ type: "BenchWrite", status: "True", reason: `Write${i}` }] } }
    : { status: { phase: "Pending", observedGeneration: 1, replicas: 1, readyReplicas: i % 2 } };
}

/** The CRDs with every x-kubernetes-validations list removed, written to a temporary directory. */
function crdsWithoutRules(): string {
  const dir = mkdtempSync(join(tmpdir(), "uranus-crds-"));
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== "object") return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key]) => key !== "x-kubernetes-validations")
        .map(([key, value]) => [key, strip(value)]),
    );
  };
  for (const file of [
    "uranus.io_computecontracts.yaml",
    "uranus.io_contributornodes.yaml",
    "uranus.io_powercontainers.yaml",
  ])
    writeFileSync(join(dir, file), stringify(strip(parse(readFileSync(join(CRD_DIRECTORY, file), "utf8")))));
  return dir;
}

const controlPlane = await startControlPlane({});
const stripped = crdsWithoutRules();
try {
  const client = new KubeClient(controlPlane.kubeConfig);
  const apiserver = controlPlane.processes.find((p) => p.name === "kube-apiserver")!.pid;
  const etcd = controlPlane.processes.find((p) => p.name === "etcd")!.pid;
  const measure = async (
    label: string,
    resource: ResourceType,
    kind: "pod" | "contract",
  ): Promise<number> => {
    const namespace = `bench-${label}`;
    await client.create(NAMESPACE, { metadata: { name: namespace } });
    const make = kind === "pod" ? pod : contract;
    const before = { apiserver: cpuSeconds(apiserver), etcd: cpuSeconds(etcd), at: performance.now() };
    await inParallel(COUNT, async (i) => {
      await client.create(resource, make(`obj-${i}`, namespace));
    });
    for (let w = 0; w < STATUS_WRITES; w++)
      await inParallel(COUNT, async (i) => {
        await client.mergePatch(resource, { namespace, name: `obj-${i}` }, status(kind, w), {
          subresource: "status",
        });
      });
    const requests = COUNT * (1 + STATUS_WRITES);
    const ms = (cpuSeconds(apiserver) - before.apiserver) * 1000;
    const etcdMs = (cpuSeconds(etcd) - before.etcd) * 1000;
    const wall = (performance.now() - before.at) / 1000;
    process.stdout.write(
      `${label.padEnd(22)} ${(ms / requests).toFixed(2)} ms apiserver CPU per write, ${(etcdMs / requests).toFixed(2)} ms etcd; ` +
        `${requests} writes in ${wall.toFixed(1)} s\n`,
    );
    return ms / requests;
  };
  await installCrds(controlPlane.kubeConfig);
  const pods = await measure("pods", POD, "pod");
  const withRules = await measure("contracts-cel", COMPUTE_CONTRACT, "contract");
  await installCrds(controlPlane.kubeConfig, { directory: stripped });
  const withoutRules = await measure("contracts-no-cel", COMPUTE_CONTRACT, "contract");
  process.stdout.write(
    `ratio to pods: contracts with CEL ${(withRules / pods).toFixed(2)}, without CEL ${(withoutRules / pods).toFixed(2)}\n`,
  );
} finally {
  await controlPlane.stop();
  rmSync(stripped, { recursive: true, force: true });
}
