// examples/gitops as a GitOps tool applies it: the real `kubectl apply -k` on the real control plane, with the
// operator, kwok contributor nodes and a solo chain; it converges, and a second sync finds nothing to change.
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { parseAllDocuments } from "yaml";
import type { ComputeContract, ContributorNode, PowerContainer } from "../../../crds/types.js";
import { waitFor } from "../../../process/wait-for.js";
import { startOperator } from "../../../operator/start-operator.js";
import { NAMESPACE } from "../../../kube-runtime/builtin-resources.js";
import { COMPUTE_CONTRACT, CONTRIBUTOR_NODE, POWER_CONTAINER } from "../../../operator/uranus-resources.js";
import { argocdHealth } from "../../support/argocd-health.js";
import {
  GROUP_LABEL,
  createWorld,
  waitForContributors,
  type OperatorWorld,
} from "../../integration/operator/support/operator-world.js";

const GITOPS_DIR = fileURLToPath(new URL("../../../examples/gitops", import.meta.url));
/** The namespace examples/gitops/kustomization.yaml puts everything in. */
const GITOPS_NAMESPACE = "uranus-gitops";
const KUBECTL_APPLY_MANAGER = "kubectl-client-side-apply";

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
}

interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

describe("GitOps: `kubectl apply -k examples/gitops` converges and stays in sync", function () {
  this.timeout(300_000);
  let world: OperatorWorld;
  let rendered: RenderedObject[] = [];

  const kubectl = (args: string[], input?: string) => world.kube.kubectl(args, input);
  const contractsInGit = () => rendered.filter((o) => o.kind === "ComputeContract");
  const liveContract = (name: string) =>
    world.client.get<ComputeContract>(COMPUTE_CONTRACT, { namespace: GITOPS_NAMESPACE, name });

  before(async function () {
    this.timeout(180_000);
    world = await createWorld({ nodes: 3 });
    const namespaces = await world.client.list(NAMESPACE, {});
    const leftover = namespaces.items.some((ns) => ns.metadata.name === GITOPS_NAMESPACE);
    expect(leftover, `namespace ${GITOPS_NAMESPACE} already exists in the shared cluster`).to.equal(false);
    // The world's operator, watching the namespace the sample deploys to.
    world.operator = await startOperator({
      kubeConfig: world.kube.kubeConfig,
      chainEndpoint: world.chain.rpcUrl,
      settings: { ...world.settings, watchNamespace: GITOPS_NAMESPACE },
      blockPollMs: 100,
    });
    await waitForContributors(world);
    const build = await kubectl(["kustomize", GITOPS_DIR]);
    expect(build.code, build.stderr).to.equal(0);
    rendered = parseAllDocuments(build.stdout).map((doc) => doc.toJS() as RenderedObject);
  });

  after(async function () {
    this.timeout(120_000);
    if ((world as OperatorWorld | undefined) === undefined) return;
    // Contracts first, while the operator runs and the payer's Secret still exists: their finalizers close them
    // on chain with the payer's key and refund; deleting the namespace at once would take that Secret with it.
    const contracts = await kubectl([
      "-n",
      GITOPS_NAMESPACE,
      "delete",
      "computecontracts",
      "--all",
      "--ignore-not-found",
      "--timeout=90s",
    ]);
    const removed = await kubectl(["delete", "-k", GITOPS_DIR, "--ignore-not-found", "--timeout=90s"]);
    await world.stop();
    expect(contracts.code, contracts.stderr).to.equal(0);
    expect(removed.code, removed.stderr).to.equal(0);
  });

  it("creates the namespace and contracts, and every contract reaches Running with its replicas ready", async () => {
    expect(rendered.map((o) => o.kind)).to.include.members(["Namespace", "ComputeContract"]);
    expect(
      rendered.map((o) => o.kind),
      "no key in Git",
    ).to.not.include("Secret");
    const applied = await kubectl(["apply", "-k", GITOPS_DIR]);
    expect(applied.code, applied.stderr).to.equal(0);
    for (const object of rendered) {
      expect(applied.stdout).to.match(
        new RegExp(`${object.kind.toLowerCase()}\\S*/${object.metadata.name} created`),
      );
    }
    // The payer's key comes out of band, as the kustomization says; never from Git.
    const secret = await kubectl([
      "-n",
      GITOPS_NAMESPACE,
      "create",
      "secret",
      "generic",
      "payer-key",
      `--from-literal=privateKey=${world.payer.privateKey}`,
    ]);
    expect(secret.code, secret.stderr).to.equal(0);

    for (const object of contractsInGit()) {
      const running = await waitFor(
        async () => {
          const cc = await liveContract(object.metadata.name);
          const wanted = cc.spec.replicas ?? 1;
          return cc.status?.phase === "Running" && cc.status.readyReplicas === wanted ? cc : undefined;
        },
        {
          timeoutMs: 120_000,
          intervalMs: 500,
          description: `ComputeContract ${object.metadata.name} Running with every replica ready`,
        },
      );
      expect(running.status!.contractId).to.match(/^[0-9a-f]{20}$/);
      const onChain = (await world.chain.client.queryJson(`/contract/${running.status!.contractId!}`)) as {
        replicas: number;
      };
      expect(onChain.replicas).to.equal(running.spec.replicas);
    }
  });

  it("keeps every applied spec as kubectl wrote it: `kubectl diff -k` is clean and a re-apply changes nothing", async () => {
    for (const object of contractsInGit()) {
      const cc = await liveContract(object.metadata.name);
      // Status writes go through the status subresource and leave generation alone; any spec write bumps it.
      expect(cc.metadata.generation, `generation of ${object.metadata.name}`).to.equal(1);
      expect(cc.status?.observedGeneration).to.equal(1);
      const specWriters = ((cc.metadata.managedFields ?? []) as ManagedFieldsEntry[])
        .filter((entry) => entry.fieldsV1 !== undefined && "f:spec" in entry.fieldsV1)
        .map((entry) => `${entry.manager ?? "?"}${entry.subresource ? `/${entry.subresource}` : ""}`);
      expect(specWriters, `managers of ${object.metadata.name}'s spec`).to.deep.equal([
        KUBECTL_APPLY_MANAGER,
      ]);
    }
    // What Argo CD checks before a sync. Status moves with every metering batch, and kubectl diff reads the live
    // object and the dry-run result a moment apart, so a batch landing in between can show a status-only diff.
    await waitFor(
      async () => {
        const diff = await kubectl(["diff", "-k", GITOPS_DIR]);
        if (diff.code > 1) throw new Error(`kubectl diff failed (exit ${diff.code}): ${diff.stderr}`);
        return diff.code === 0 || undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: "kubectl diff -k examples/gitops to exit 0" },
    );
    const reapplied = await kubectl(["apply", "-k", GITOPS_DIR]);
    expect(reapplied.code, reapplied.stderr).to.equal(0);
    for (const object of rendered) {
      expect(reapplied.stdout).to.match(
        new RegExp(`${object.kind.toLowerCase()}\\S*/${object.metadata.name} unchanged`),
      );
    }
    for (const object of contractsInGit()) {
      expect((await liveContract(object.metadata.name)).metadata.generation).to.equal(1);
    }
  });

  it("is Healthy by config/argocd's health checks: the contracts, their PowerContainers and the contributor nodes", async () => {
    for (const object of contractsInGit()) {
      const cc = await liveContract(object.metadata.name);
      const verdict = argocdHealth("ComputeContract", cc);
      expect(verdict, object.metadata.name).to.deep.equal({
        status: "Healthy",
        message: `${cc.spec.replicas}/${cc.spec.replicas} replicas ready`,
      });
    }
    const containers = await world.client.list<PowerContainer>(POWER_CONTAINER, {
      namespace: GITOPS_NAMESPACE,
    });
    const wanted = (await Promise.all(contractsInGit().map((o) => liveContract(o.metadata.name)))).reduce(
      (sum, cc) => sum + (cc.spec.replicas ?? 1),
      0,
    );
    expect(containers.items).to.have.length(wanted);
    for (const pc of containers.items) {
      const verdict = argocdHealth("PowerContainer", pc);
      expect(verdict.status, `${pc.metadata.name}: ${verdict.message}`).to.equal("Healthy");
      expect(verdict.message).to.equal(`running on ${pc.status!.nodeName!}`);
      expect(world.nodeNames).to.include(pc.status!.nodeName);
    }
    const nodes = await world.client.list<ContributorNode>(CONTRIBUTOR_NODE, {
      labelSelector: `${GROUP_LABEL}=${world.group}`,
    });
    expect(nodes.items).to.have.length(world.nodeNames.length);
    for (const cn of nodes.items) {
      expect(argocdHealth("ContributorNode", cn), cn.metadata.name).to.deep.equal({
        status: "Healthy",
        message: "registered and online",
      });
    }
  });
});
