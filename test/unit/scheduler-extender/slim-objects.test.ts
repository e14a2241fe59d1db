import { expect } from "chai";
import fc from "fast-check";
import { LABEL } from "../../../crds/types.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";
import { contributorView } from "../../../scheduler-extender/contributor-view.js";
import { ScuCalculator } from "../../../units/pod-scu.js";
import { contractKeyOf } from "../../../scheduler-extender/pod-terms.js";
import { slimContributorNode, slimPod } from "../../../scheduler-extender/slim-objects.js";
import { contributorNode, uranusPod } from "./contributor-node-fixture.js";

const managedFields = [{ manager: "kubectl", operation: "Update", fieldsV1: { "f:spec": { ".": {} } } }];

describe("informer objects cut to what the extender reads", () => {
  it("keeps a pod's contract, node, phase, size and identity and drops the rest", () => {
    const full = uranusPod({
      name: "p",
      uid: "u-1",
      contract: "c",
      nodeName: "n1",
      cpu: "2500m",
      memory: "1Gi",
    });
    const pod = {
      ...full,
      metadata: {
        ...full.metadata,
        resourceVersion: "42",
        managedFields,
        labels: { ...full.metadata.labels, x: "y" },
      },
      spec: {
        ...full.spec,
        initContainers: [{ name: "init", image: "i", resources: { limits: { memory: "9Gi" } } }],
        overhead: { cpu: "250m" },
      },
      status: { phase: "Running", podIP: "10.0.0.1" },
    };
    const slim = slimPod(pod);
    const scu = new ScuCalculator();
    expect(scu.podScu(slim.spec ?? {}))
      .to.equal(scu.podScu(pod.spec))
      .and.to.equal(5);
    expect(contractKeyOf(slim)).to.equal(contractKeyOf(pod)).and.to.equal("default/c");
    expect(slim.metadata).to.deep.equal({
      name: "p",
      namespace: "default",
      uid: "u-1",
      resourceVersion: "42",
      labels: { [LABEL.contract]: "c" },
    });
    expect(slim.spec?.nodeName).to.equal("n1");
    expect(slim.status?.phase).to.equal("Running");
    expect(JSON.stringify(slim)).not.to.contain("managedFields").and.not.to.contain("podIP");
  });

  it("keeps everything the contributor view reads of a ContributorNode", () => {
    for (const facts of [
      { name: "a", poc: 77, capacitySCU: 9, allocatedSCU: 4, kata: true, price: "3", region: "us" },
      { name: "b", online: false, jailed: true, registered: false, unschedulable: true },
    ]) {
      const full = contributorNode(facts);
      const noisyMetadata = { name: full.metadata.name, resourceVersion: "7", managedFields };
      const slim = slimContributorNode({ ...full, metadata: noisyMetadata });
      expect(contributorView(slim)).to.deep.equal(contributorView(full));
      expect(slim.metadata.resourceVersion).to.equal("7");
      expect(JSON.stringify(slim)).not.to.contain("managedFields");
    }
  });

  it("never throws, whatever the apiserver sends", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.jsonValue(), (metadata, spec, status) => {
        const object = { metadata, spec, status } as unknown as KubeObject;
        slimPod(object);
        slimContributorNode(object);
      }),
      { numRuns: 2000 },
    );
  });
});
