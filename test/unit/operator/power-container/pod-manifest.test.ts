import { expect } from "chai";
import {
  API_VERSION,
  KIND,
  LABEL,
  type ComputeContract,
  type PowerContainer,
} from "../../../../crds/types.js";
import { ScuScale } from "../../../../units/scu-scale.js";
import { METERING_FINALIZER, POD_ANNOTATION } from "../../../../operator/power-container/pod-keys.js";
import { podManifest, type PodInputs } from "../../../../operator/power-container/pod-manifest.js";

function inputs(overrides: Partial<PowerContainer["spec"]> = {}, avoidNodes: string[] = []): PodInputs {
  const pc: PowerContainer = {
    apiVersion: API_VERSION,
    kind: KIND.PowerContainer,
    metadata: { name: "web-0", namespace: "shop", uid: "pc-uid", labels: { [LABEL.contract]: "web" } },
    spec: { image: "registry.example/web:1", size: { scu: 2 }, ...overrides },
  };
  const contract: ComputeContract = {
    apiVersion: API_VERSION,
    kind: KIND.ComputeContract,
    metadata: { name: "web", namespace: "shop" },
    spec: {
      template: { metadata: { labels: { tier: "front" } }, spec: pc.spec },
      maxPricePerSCUHour: "1500000",
      budget: "900000000",
      placement: { regions: ["eu-west", "eu-central"], minPoC: 500 },
      payer: { secretRef: { name: "payer-key" } },
    },
  };
  return {
    powerContainer: pc,
    contract,
    contractId: "0123456789abcdef0123",
    replica: 0,
    podName: "web-0-3",
    scu: 2,
    scale: new ScuScale(),
    templateHash: "abc",
    avoidNodes,
  };
}

describe("PowerContainer pod manifest", () => {
  it("links pod, container and contract, carries the extender's annotations and the metering finalizer", () => {
    const pod = podManifest(inputs());
    expect(pod.metadata!.labels).to.deep.equal({
      tier: "front",
      [LABEL.contract]: "web",
      [LABEL.powerContainer]: "web-0",
      "uranus.io/replica": "0",
    });
    expect(pod.metadata!.annotations).to.include({
      "uranus.io/max-price-per-scu-hour": "1500000",
      "uranus.io/regions": "eu-west,eu-central",
      "uranus.io/min-poc": "500",
      [POD_ANNOTATION.contractId]: "0123456789abcdef0123",
      [POD_ANNOTATION.scu]: "2",
    });
    expect(pod.metadata!.finalizers).to.deep.equal([METERING_FINALIZER]);
    expect(pod.metadata!.ownerReferences![0]).to.include({
      kind: "PowerContainer",
      uid: "pc-uid",
      controller: true,
    });
  });

  it("runs restricted: non-root, RuntimeDefault seccomp, no capabilities, no escalation, no token", () => {
    const pod = podManifest(inputs());
    expect(pod.spec!.securityContext).to.deep.equal({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    const sc = pod.spec!.containers[0]!.securityContext!;
    expect(sc.allowPrivilegeEscalation).to.equal(false);
    expect(sc.privileged).to.equal(false);
    expect(sc.capabilities).to.deep.equal({ drop: ["ALL"] });
    expect(pod.spec!.automountServiceAccountToken).to.equal(false);
    expect(pod.spec!.runtimeClassName).to.equal(undefined);
    expect(podManifest(inputs({ isolation: "kata" })).spec!.runtimeClassName).to.equal("kata");
  });

  it("requests and limits exactly its SCU", () => {
    const resources = podManifest(inputs()).spec!.containers[0]!.resources!;
    expect(resources.requests).to.deep.equal({ cpu: "2", memory: "4Gi", "ephemeral-storage": "40Gi" });
    expect(resources.limits).to.deep.equal(resources.requests);
  });

  it("joins contributor nodes and avoided nodes to every user term, one NotIn per node", () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] },
            { matchExpressions: [{ key: "gpu", operator: "Exists" }] },
          ],
        },
      },
    };
    const terms = podManifest(inputs({ affinity }, ["n2", "n1", "n2"])).spec!.affinity!.nodeAffinity!
      .requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms;
    expect(terms).to.have.length(2);
    for (const term of terms) {
      expect(term.matchExpressions).to.deep.include({ key: LABEL.contributor, operator: "Exists" });
      expect(term.matchFields).to.deep.equal([
        { key: "metadata.name", operator: "NotIn", values: ["n1"] },
        { key: "metadata.name", operator: "NotIn", values: ["n2"] },
      ]);
    }
  });

  it("spreads across contributors as required or preferred anti-affinity on uranus.io/contributor", () => {
    const required = podManifest(inputs({ contributorSpread: "required" })).spec!.affinity!.podAntiAffinity!;
    expect(required.requiredDuringSchedulingIgnoredDuringExecution).to.deep.equal([
      { topologyKey: LABEL.contributor, labelSelector: { matchLabels: { [LABEL.contract]: "web" } } },
    ]);
    const preferred = podManifest(inputs({ contributorSpread: "preferred" })).spec!.affinity!
      .podAntiAffinity!;
    expect(preferred.preferredDuringSchedulingIgnoredDuringExecution![0]!.weight).to.equal(100);
    expect(podManifest(inputs()).spec!.affinity!.podAntiAffinity).to.equal(undefined);
  });
});
