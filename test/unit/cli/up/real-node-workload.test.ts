// What `uranus up` changes when it runs real nodes: images pinned to the digests built here, each real node a
// contributor of a funded demo account, and the examples that serve ports required on (and tolerating) real nodes.
import { expect } from "chai";
import { DemoAccounts } from "../../../../cli/up/demo-accounts.js";
import { contractsOf, planDemoWorkload } from "../../../../cli/up/demo-workload.js";
import { localExamples } from "../../../../cli/up/example-manifests.js";
import {
  pinLocalImages,
  pinnedImage,
  realNodeOwnerRole,
  servesForReal,
  withRealNodes,
} from "../../../../cli/up/real-node-workload.js";
import type { UranusImages } from "../../../../local-cluster/images/uranus-images.js";
import { REAL_NODE_LABEL } from "../../../../local-cluster/real-node/real-node.js";

const digest = `sha256:${"ab".repeat(32)}`;
const built = (repository: string): UranusImages["web"] => ({
  repository,
  name: `${repository}:latest`,
  manifestDigest: digest,
  reference: `${repository}@${digest}`,
  archive: Buffer.alloc(0),
});
const images: UranusImages = {
  pause: built("uranus.local/pause"),
  web: built("uranus.local/web"),
  burner: built("uranus.local/burner"),
};

describe("uranus up: real nodes in the demo workload", () => {
  it("pins uranus.local images to the digest built here and leaves others alone", () => {
    expect(pinnedImage("uranus.local/web:latest", images)).to.equal(`uranus.local/web@${digest}`);
    expect(pinnedImage("uranus.local/web", images)).to.equal(`uranus.local/web@${digest}`);
    expect(pinnedImage("uranus.local/unknown:1", images)).to.equal("uranus.local/unknown:1");
    expect(pinnedImage("ghcr.io/example/kv-store:2.3.1", images)).to.equal("ghcr.io/example/kv-store:2.3.1");
    const workload = pinLocalImages(planDemoWorkload(localExamples(), new DemoAccounts(), 0), images);
    const web = contractsOf(workload).find((cc) => cc.metadata.name === "web-service")!;
    expect(web.spec.template.spec.image).to.equal(`uranus.local/web@${digest}`);
  });

  it("requires real nodes, tolerating their taint, only for local contracts that serve a uranus.local image", () => {
    const accounts = new DemoAccounts();
    const workload = planDemoWorkload(localExamples(), accounts, 1);
    const serving = contractsOf(workload)
      .filter(servesForReal)
      .map((cc) => cc.metadata.name);
    expect(serving).to.deep.equal(["web-service"]);
    const { workload: adopted, onRealNodes } = withRealNodes(workload, ["real-node-0"], accounts);
    expect(onRealNodes).to.deep.equal(["web-service"]);
    const web = contractsOf(adopted).find((cc) => cc.metadata.name === "web-service")!.spec.template.spec;
    expect(web.tolerations).to.deep.include({
      key: REAL_NODE_LABEL,
      operator: "Equal",
      value: "true",
      effect: "NoSchedule",
    });
    expect(
      web.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0]!
        .matchExpressions,
    ).to.deep.equal([{ key: REAL_NODE_LABEL, operator: "In", values: ["true"] }]);
    const others = contractsOf(adopted).filter((cc) => cc.metadata.name !== "web-service");
    expect(others.every((cc) => cc.spec.template.spec.tolerations === undefined)).to.equal(true);
    const realNode = adopted.demoNodes.find((cn) => cn.spec.nodeName === "real-node-0")!;
    expect(realNode.spec.owner).to.equal(accounts.owner(realNodeOwnerRole(0)).address.toLowerCase());
  });

  it("changes nothing without real nodes", () => {
    const workload = planDemoWorkload(localExamples(), new DemoAccounts(), 1);
    expect(withRealNodes(workload, [], new DemoAccounts())).to.deep.equal({ workload, onRealNodes: [] });
  });
});
