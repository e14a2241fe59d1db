// A node the chain refuses for a contract (here its region) is not tried again by the replacement pods, even with a
// kube-scheduler that does not call our extender and prefers exactly the refused nodes.
import { expect } from "chai";
import type { V1Pod } from "@kubernetes/client-node";
import type { PowerContainer } from "../../../crds/types.js";
import { LABEL } from "../../../crds/types.js";
import { waitFor } from "../../../process/wait-for.js";
import { NODE, POD } from "../../../kube-runtime/builtin-resources.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import { COMPUTE_CONTRACT, POWER_CONTAINER } from "../../../operator/uranus-resources.js";
import { contractManifest, operatorSuite, type OperatorWorld } from "./support/operator-world.js";

type Pod = V1Pod & KubeObject;
interface Event extends KubeObject {
  reason?: string;
  note?: string;
  regarding?: { name?: string };
  series?: { count?: number };
}

const FAVOURED = "uranus.test/favoured";

async function refusals(world: OperatorWorld, pcName: string): Promise<Map<string, number>> {
  const events = await world.client.list<Event>(
    { apiVersion: "events.k8s.io/v1", kind: "Event", plural: "events", namespaced: true },
    { namespace: world.namespace },
  );
  const byNode = new Map<string, number>();
  for (const event of events.items) {
    if (event.reason !== "PlacementRejected" || event.regarding?.name !== pcName) continue;
    const node = world.nodeNames.find((name) => event.note?.includes(`node ${name} `));
    expect(node, `a refusal names its node: ${event.note}`).to.not.equal(undefined);
    byNode.set(node!, (byNode.get(node!) ?? 0) + (event.series?.count ?? 1));
  }
  return byNode;
}

describe("operator: nodes the chain refused are avoided by the replacement pods", function () {
  const suite = operatorSuite(this, {
    nodes: 3,
    regions: ["us-east", "us-east", "eu-west"],
    timeoutMs: 180_000,
  });
  let world: OperatorWorld;
  before(() => ({ world } = suite));

  it("a contract for eu-west, placed first on the preferred us-east nodes, runs on the eu-west node after refusing each at most once", async () => {
    const [east0, east1, west] = world.nodeNames as [string, string, string];
    for (const name of [east0, east1])
      await world.client.mergePatch(NODE, { name }, { metadata: { labels: { [FAVOURED]: "yes" } } });
    const manifest = contractManifest(world, { name: "eu-only", regions: ["eu-west"] });
    // The user's own preference sends the default scheduler to the nodes the chain refuses.
    manifest.spec.template.spec.affinity!.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution = [
      { weight: 100, preference: { matchExpressions: [{ key: FAVOURED, operator: "In", values: ["yes"] }] } },
    ];
    await world.client.create(COMPUTE_CONTRACT, manifest);

    const pod = await waitFor(
      async () => {
        const pods = await world.client.list<Pod>(POD, {
          namespace: world.namespace,
          labelSelector: `${LABEL.contract}=eu-only`,
        });
        return pods.items.find(
          (p) =>
            p.metadata.deletionTimestamp === undefined &&
            p.status?.phase === "Running" &&
            p.metadata.annotations?.["uranus.io/lease-start"] !== undefined,
        );
      },
      { timeoutMs: 90_000, intervalMs: 250, description: "a leased, running pod of eu-only" },
    );
    expect(pod.spec?.nodeName).to.equal(west);

    const pc = await world.client.get<PowerContainer>(POWER_CONTAINER, {
      namespace: world.namespace,
      name: pod.metadata.labels![LABEL.powerContainer]!,
    });
    const remembered = (pc.status?.rejectedNodes ?? []).map((entry) => entry.node);
    expect(remembered, "the scheduler's first choice was a favoured node, refused").to.not.be.empty;
    expect(remembered.every((node) => node === east0 || node === east1)).to.equal(true);
    for (const entry of pc.status!.rejectedNodes!) expect(entry.message).to.contain("region us-east");

    const refused = await refusals(world, pc.metadata.name!);
    expect([...refused.keys()].sort()).to.deep.equal([...remembered].sort());
    for (const [node, count] of refused) expect(count, `refusals of ${node}`).to.equal(1);
  });
});
