// The operator needs no more than config/rbac grants: the ServiceAccount and bindings from there, a token from the
// TokenRequest API, and the main flow (with leader election) run under that identity alone.
import { expect } from "chai";
import { KubeConfig } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { binaryPath } from "../../../process/binaries.js";
import { run } from "../../../process/run-command.js";
import { waitFor } from "../../../process/wait-for.js";
import { ChainReader } from "../../../operator/chain/chain-reader.js";
import { createLogger } from "../../../observability/logger.js";
import type { KubeObject, ResourceType } from "../../../kube-runtime/resource.js";
import { LEASE } from "../../../kube-runtime/builtin-resources.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import {
  applyContract,
  createWorld,
  describeEvents,
  readContract,
  waitForContributors,
  type OperatorWorld,
} from "./support/operator-world.js";

const RBAC_KINDS: Record<string, ResourceType> = {
  ServiceAccount: { apiVersion: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true },
  Role: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", plural: "roles", namespaced: true },
  RoleBinding: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    plural: "rolebindings",
    namespaced: true,
  },
  ClusterRole: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    plural: "clusterroles",
    namespaced: false,
  },
  ClusterRoleBinding: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    plural: "clusterrolebindings",
    namespaced: false,
  },
};

interface RbacObject extends KubeObject {
  kind: string;
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

/** config/rbac as kustomize renders it, moved into the world's namespace, cluster-wide names made unique. */
async function renderRbac(world: OperatorWorld): Promise<RbacObject[]> {
  const rendered = await run(binaryPath("kubectl"), ["kustomize", "config/rbac"]);
  expect(rendered.code, rendered.stderr).to.equal(0);
  const suffix = `-${world.group}`;
  return parseAllDocuments(rendered.stdout).map((doc) => {
    const object = doc.toJS() as RbacObject;
    if (RBAC_KINDS[object.kind]!.namespaced) object.metadata.namespace = world.operatorNamespace;
    else object.metadata.name = `${object.metadata.name}${suffix}`;
    if (object.roleRef?.kind === "ClusterRole") object.roleRef.name = `${object.roleRef.name}${suffix}`;
    for (const subject of object.subjects ?? []) subject.namespace = world.operatorNamespace;
    return object;
  });
}

describe("operator RBAC: the main flow under exactly config/rbac", function () {
  this.timeout(300_000);
  let world: OperatorWorld;
  let created: { type: ResourceType; object: RbacObject }[] = [];

  before(async () => {
    world = await createWorld({ nodes: 2 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") console.log(await describeEvents(world));
  });

  after(async () => {
    await world.stop();
    for (const { type, object } of created.reverse())
      await world.client.delete(type, { namespace: object.metadata.namespace, name: object.metadata.name! });
  });

  it("registers nodes, runs, meters and settles a contract with the ServiceAccount's token", async () => {
    const objects = await renderRbac(world);
    expect(objects.map((o) => o.kind).sort()).to.deep.equal([
      "ClusterRole",
      "ClusterRoleBinding",
      "Role",
      "RoleBinding",
      "ServiceAccount",
    ]);
    created = objects.map((object) => ({ type: RBAC_KINDS[object.kind]!, object }));
    for (const { type, object } of created) await world.client.create(type, object);
    const account = objects.find((o) => o.kind === "ServiceAccount")!;
    const answer = (await world.client.request(
      "POST",
      `/api/v1/namespaces/${world.operatorNamespace}/serviceaccounts/${account.metadata.name}/token`,
      {
        body: {
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenRequest",
          spec: { expirationSeconds: 3600 },
        },
      },
    )) as { status: { token: string } };
    const cluster = world.kube.kubeConfig.getCurrentCluster()!;
    const restricted = new KubeConfig();
    restricted.loadFromOptions({
      clusters: [
        {
          name: "uranus",
          server: cluster.server,
          caData: cluster.caData,
          caFile: cluster.caFile,
          skipTLSVerify: cluster.skipTLSVerify,
        },
      ],
      users: [{ name: "uranus-operator", token: answer.status.token }],
      contexts: [{ name: "operator", cluster: "uranus", user: "uranus-operator" }],
      currentContext: "operator",
    });

    const lines: string[] = [];
    const logger = createLogger({
      level: "warn",
      destination: { write: (line: string) => lines.push(line) },
    });
    await world.startOperator({ kubeConfig: restricted, leaderElection: true, logger });
    await waitForContributors(world);
    const lease = await world.client.get<KubeObject & { spec?: { holderIdentity?: string } }>(LEASE, {
      namespace: world.operatorNamespace,
      name: "uranus-operator",
    });
    expect(lease.spec?.holderIdentity).to.equal(world.operator!.runtime.identity);

    await applyContract(world, { name: "least-privilege", scu: 1 });
    const running = await waitFor(
      async () => {
        const cc = await readContract(world, "least-privilege");
        return cc?.status?.readyReplicas === 1 ? cc : undefined;
      },
      {
        timeoutMs: 90_000,
        intervalMs: 250,
        description: "the contract running under the restricted identity",
      },
    );
    const reader = new ChainReader(world.chain.client);
    const contractId = running.status!.contractId!;
    await waitFor(async () => ((await reader.market.contract(contractId))!.spent > 0n ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: "the contract metered",
    });
    await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name: "least-privilege" });
    await waitFor(
      async () => ((await readContract(world, "least-privilege")) === undefined ? true : undefined),
      {
        timeoutMs: 90_000,
        intervalMs: 250,
        description: "the contract settled, refunded and gone",
      },
    );
    const closed = (await reader.market.contract(contractId))!;
    expect(closed.state).to.equal("closed");
    expect(closed.refunded).to.equal(closed.deposited - closed.spent);
    const refused = lines.filter((line) => /\b403\b|Forbidden/.test(line));
    expect(refused, "no request was refused for lack of a permission").to.deep.equal([]);
  });
});
