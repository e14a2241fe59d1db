// What the demo puts in the cluster: the examples, with every contributor owned by a funded demo account, extra
// contributor nodes of its own, kwok Nodes for all of them, and the Secrets and RuntimeClass the examples need.
import { randomBytes } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { API_VERSION, DEFAULTS, KIND, type ComputeContract, type ContributorNode } from "../../crds/types.js";
import { binaryPath } from "../../process/binaries.js";
import { createFakeNodes } from "../../local-cluster/fake-nodes.js";
import { run } from "../../process/run-command.js";
import { NODE } from "../../kube-runtime/builtin-resources.js";
import { KubeClient } from "../../kube-runtime/kube-client.js";
import type { DemoAccounts } from "./demo-accounts.js";
import type { ExampleDocument } from "./example-manifests.js";

/** The operator's namespace: its key Secrets live here. */
export const OPERATOR_NAMESPACE = "uranus-system";
export const OPERATOR_KEY_SECRET = { name: "uranus-operator-key", key: "privateKey" };
export const CONTRIBUTOR_KEYS_SECRET = "uranus-contributor-keys";
/** Regions the demo's own contributor nodes take in turn, so region-bound examples find several contributors. */
const DEMO_REGIONS = ["eu-west", "eu-central", "us-east"];
const DEMO_NODE_PRICE = "1000000";

export interface DemoWorkload {
  /** Example documents in file order, contributor owners replaced by demo accounts. */
  examples: ExampleDocument[];
  /** The demo's own contributor nodes, each owned by a demo account of its own. */
  demoNodes: ContributorNode[];
}

export function planDemoWorkload(
  examples: ExampleDocument[],
  accounts: DemoAccounts,
  extraNodes: number,
  /** Names of the demo's own nodes: the prefix and a number. Node names are unique on chain across clusters. */
  nodePrefix = "demo-node-",
): DemoWorkload {
  const owned = examples.map((doc) => {
    if (doc.object.kind !== KIND.ContributorNode) return doc;
    const node = structuredClone(doc.object) as unknown as ContributorNode;
    node.spec.owner = accounts.owner(node.spec.owner).address.toLowerCase();
    return { ...doc, object: node as unknown as ExampleDocument["object"] };
  });
  const demoNodes = Array.from({ length: extraNodes }, (_, i): ContributorNode => {
    const name = `${nodePrefix}${i}`;
    return {
      apiVersion: API_VERSION,
      kind: KIND.ContributorNode,
      metadata: { name, labels: { "app.kubernetes.io/part-of": "uranus-demo" } },
      spec: {
        nodeName: name,
        owner: accounts.owner(name).address.toLowerCase(),
        region: DEMO_REGIONS[i % DEMO_REGIONS.length]!,
        pricePerSCUHour: DEMO_NODE_PRICE,
      },
    };
  });
  return { examples: owned, demoNodes };
}

export function contributorNodesOf(workload: DemoWorkload): ContributorNode[] {
  return [
    ...workload.examples
      .filter((doc) => doc.object.kind === KIND.ContributorNode)
      .map((doc) => doc.object as unknown as ContributorNode),
    ...workload.demoNodes,
  ];
}

export function contractsOf(workload: DemoWorkload): ComputeContract[] {
  return workload.examples
    .filter((doc) => doc.object.kind === KIND.ComputeContract)
    .map((doc) => doc.object as unknown as ComputeContract);
}

/** Creates the kwok Nodes the contributors offer (those not there yet), labelled with their region. */
export async function createContributorNodes(
  kubeConfig: KubeConfig,
  workload: DemoWorkload,
): Promise<string[]> {
  const client = new KubeClient(kubeConfig);
  const existing = new Set((await client.list(NODE)).items.map((node) => node.metadata.name));
  const missing = contributorNodesOf(workload).filter((cn) => !existing.has(cn.spec.nodeName));
  await createFakeNodes(kubeConfig, {
    names: missing.map((cn) => cn.spec.nodeName),
    labels: (i) => ({ "topology.kubernetes.io/region": missing[i]!.spec.region }),
  });
  return missing.map((cn) => cn.spec.nodeName);
}

/**
 * The objects the examples and the operator take for granted: the operator's namespace and key Secrets, each
 * contract's payer Secret and the Secrets its environment reads, and the kata RuntimeClass when a contract asks
 * for kata.
 */
export function supportingObjects(workload: DemoWorkload, accounts: DemoAccounts): object[] {
  const secret = (namespace: string, name: string, data: Record<string, string>): object => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace },
    stringData: data,
  });
  const objects: object[] = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: OPERATOR_NAMESPACE } },
    secret(OPERATOR_NAMESPACE, OPERATOR_KEY_SECRET.name, {
      [OPERATOR_KEY_SECRET.key]: accounts.operator.privateKey,
    }),
    secret(OPERATOR_NAMESPACE, CONTRIBUTOR_KEYS_SECRET, accounts.ownerKeys()),
  ];
  const secrets = new Map<string, Record<string, string>>();
  const add = (namespace: string, name: string, key: string, value: string): void => {
    const id = `${namespace}/${name}`;
    secrets.set(id, { ...secrets.get(id), [key]: value });
  };
  let kata = false;
  for (const contract of contractsOf(workload)) {
    const namespace = contract.metadata.namespace ?? "default";
    const ref = contract.spec.payer.secretRef;
    if (ref !== undefined)
      add(namespace, ref.name, ref.key ?? DEFAULTS.payerSecretKey, accounts.payer.privateKey);
    for (const env of contract.spec.template.spec.env ?? []) {
      const from = env.valueFrom?.secretKeyRef;
      if (from !== undefined) add(namespace, from.name, from.key, randomBytes(16).toString("hex"));
    }
    kata ||= contract.spec.template.spec.isolation === "kata";
  }
  for (const [id, data] of [...secrets].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const [namespace, name] = id.split("/") as [string, string];
    objects.push(secret(namespace, name, data));
  }
  if (kata)
    objects.push({
      apiVersion: "node.k8s.io/v1",
      kind: "RuntimeClass",
      metadata: { name: "kata" },
      handler: "kata",
    });
  return objects;
}

/** `kubectl apply` of objects given as data (read from stdin, so no key touches the disk). */
export async function kubectlApply(kubeconfigPath: string, objects: object[], what: string): Promise<void> {
  const input = objects.map((object) => stringify(object)).join("---\n");
  const result = await run(
    binaryPath("kubectl"),
    ["--kubeconfig", kubeconfigPath, "apply", "-f", "-"],
    input,
  );
  if (result.code !== 0) throw new Error(`kubectl apply of ${what} failed: ${result.stderr.trim()}`);
}

/**
 * Takes the demo out of a cluster it did not start, while the operator still runs, so its finalizers (final
 * settlement, deregistration, metered pods) are honoured: contracts, then contributors, then the kwok Nodes and
 * the Secrets it made.
 */
export async function removeDemoWorkload(
  kubeconfigPath: string,
  workload: DemoWorkload,
  accounts: DemoAccounts,
  createdNodes: string[],
): Promise<void> {
  const kubectl = (args: string[], input?: string) =>
    run(binaryPath("kubectl"), ["--kubeconfig", kubeconfigPath, ...args], input);
  const problems: string[] = [];
  const remove = async (args: string[], input?: string): Promise<void> => {
    const result = await kubectl(["delete", "--ignore-not-found", "--timeout=60s", ...args], input);
    if (result.code !== 0) problems.push(result.stderr.trim());
  };
  // One delete per namespace, so the contracts' final settlements run side by side.
  const byNamespace = new Map<string, string[]>();
  for (const contract of contractsOf(workload)) {
    const namespace = contract.metadata.namespace ?? "default";
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), contract.metadata.name!]);
  }
  for (const [namespace, names] of byNamespace) await remove(["computecontract", "-n", namespace, ...names]);
  await remove(["contributornode", ...contributorNodesOf(workload).map((cn) => cn.metadata.name!)]);
  if (createdNodes.length > 0) await remove(["node", ...createdNodes]);
  const secrets = supportingObjects(workload, accounts).filter(
    (object) => (object as { kind: string }).kind === "Secret",
  );
  await remove(["-f", "-"], secrets.map((object) => stringify(object)).join("---\n"));
  if (problems.length > 0) throw new Error(problems.join("\n"));
}
