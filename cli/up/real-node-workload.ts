// What the demo changes when it runs real nodes: each real node becomes a contributor of a demo account and is
// tainted, so only contracts that can really run there land on it; the examples that serve ports tolerate the taint
// and require a real node, so their Service answers for real. Every uranus.local image is pinned to the digest built
// on this machine, as kbld or ko pin tags before a deploy.
import type { KubeConfig, V1Taint } from "@kubernetes/client-node";
import { API_VERSION, KIND, type ComputeContract, type ContributorNode } from "../../crds/types.js";
import { NODE } from "../../kube-runtime/builtin-resources.js";
import { KubeClient } from "../../kube-runtime/kube-client.js";
import type { UranusImages } from "../../local-cluster/images/uranus-images.js";
import { REAL_NODE_LABEL } from "../../local-cluster/real-node/real-node.js";
import type { DemoAccounts } from "./demo-accounts.js";
import type { ExampleDocument } from "./example-manifests.js";
import type { DemoWorkload } from "./demo-workload.js";

const LOCAL_REGISTRY = "uranus.local/";
const REAL_NODE_REGION = "eu-west";
/** Below every demo contract's maxPricePerSCUHour (web-service offers 900000). */
const REAL_NODE_PRICE = "500000";

/** Keeps pods that did not ask for a real node off it: they may name images only kwok can "run". */
export const REAL_NODE_TAINT: V1Taint = { key: REAL_NODE_LABEL, value: "true", effect: "NoSchedule" };

/** `uranus.local/web:latest` → `uranus.local/web@sha256:…` when built here; any other image unchanged. */
export function pinnedImage(image: string, images: UranusImages): string {
  if (!image.startsWith(LOCAL_REGISTRY)) return image;
  const repository = image.split("@")[0]!.replace(/:[^/:]*$/, "");
  const built = [images.pause, images.web, images.burner].find((i) => i.repository === repository);
  return built?.reference ?? image;
}

function mapContracts(
  workload: DemoWorkload,
  change: (cc: ComputeContract) => ComputeContract,
): ExampleDocument[] {
  return workload.examples.map((doc) =>
    doc.object.kind === KIND.ComputeContract
      ? {
          ...doc,
          object: change(doc.object as unknown as ComputeContract) as unknown as ExampleDocument["object"],
        }
      : doc,
  );
}

/** The workload with every uranus.local image pinned to its digest. */
export function pinLocalImages(workload: DemoWorkload, images: UranusImages): DemoWorkload {
  const examples = mapContracts(workload, (cc) => {
    const copy = structuredClone(cc);
    copy.spec.template.spec.image = pinnedImage(copy.spec.template.spec.image, images);
    return copy;
  });
  return { ...workload, examples };
}

/** True for a contract whose pods serve ports from a uranus.local image: they can really serve on a real node. */
export function servesForReal(cc: ComputeContract): boolean {
  const spec = cc.spec.template.spec;
  const runsHere = cc.spec.placement?.clusters === undefined || cc.spec.placement.clusters === "Local";
  return runsHere && spec.image.startsWith(LOCAL_REGISTRY) && (spec.ports ?? []).length > 0;
}

/** The demo account that owns the i-th real node (funded at genesis, before the node's name is known). */
export function realNodeOwnerRole(index: number): string {
  return `real node ${index}`;
}

/** Real nodes as demo contributors, and the serving contracts required on them; names the contracts pinned. */
export function withRealNodes(
  workload: DemoWorkload,
  realNodes: readonly string[],
  accounts: DemoAccounts,
): { workload: DemoWorkload; onRealNodes: string[] } {
  if (realNodes.length === 0) return { workload, onRealNodes: [] };
  const onRealNodes: string[] = [];
  const examples = mapContracts(workload, (cc) => {
    if (!servesForReal(cc)) return cc;
    onRealNodes.push(cc.metadata.name!);
    const copy = structuredClone(cc);
    const spec = copy.spec.template.spec;
    spec.tolerations = [
      ...(spec.tolerations ?? []),
      { key: REAL_NODE_LABEL, operator: "Equal", value: "true", effect: "NoSchedule" },
    ];
    // Replaces any node affinity of its own: the demo's examples have none.
    spec.affinity = spec.affinity ?? {};
    spec.affinity.nodeAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: REAL_NODE_LABEL, operator: "In", values: ["true"] }] },
        ],
      },
    };
    return copy;
  });
  const nodes = realNodes.map((name, i): ContributorNode => ({
    apiVersion: API_VERSION,
    kind: KIND.ContributorNode,
    metadata: { name, labels: { "app.kubernetes.io/part-of": "uranus-demo" } },
    spec: {
      nodeName: name,
      owner: accounts.owner(realNodeOwnerRole(i)).address.toLowerCase(),
      region: REAL_NODE_REGION,
      pricePerSCUHour: REAL_NODE_PRICE,
    },
  }));
  return { workload: { examples, demoNodes: [...workload.demoNodes, ...nodes] }, onRealNodes };
}

/** Pins images, taints the real nodes and makes them contributors; the contracts now bound to real nodes. */
export async function adoptRealNodes(
  kubeConfig: KubeConfig,
  realNodes: readonly string[],
  images: UranusImages | undefined,
  workload: DemoWorkload,
  accounts: DemoAccounts,
): Promise<{ workload: DemoWorkload; onRealNodes: string[] }> {
  const pinned = images === undefined ? workload : pinLocalImages(workload, images);
  const client = new KubeClient(kubeConfig);
  for (const name of realNodes)
    await client.mergePatch(NODE, { name }, { spec: { taints: [REAL_NODE_TAINT] } });
  return withRealNodes(pinned, realNodes, accounts);
}
