import { expect } from "chai";
import { ScuCalculator } from "../../../units/pod-scu.js";

const scu = new ScuCalculator();

function pod(
  requests: Record<string, string>[],
  init: Record<string, string>[] = [],
  overhead?: Record<string, string>,
) {
  return {
    containers: requests.map((r) => ({ resources: { requests: r } })),
    initContainers: init.map((r) => ({ resources: { requests: r } })),
    ...(overhead === undefined ? {} : { overhead }),
  };
}

describe("pod size in SCU (largest ratio over 1 vCPU, 2 GiB, 20 GiB; rounded up)", () => {
  it("takes the largest dimension and rounds up", () => {
    expect(scu.podScu(pod([{ cpu: "100m", memory: "64Mi" }]))).to.equal(1);
    expect(scu.podScu(pod([{ cpu: "2", memory: "1Gi" }]))).to.equal(2);
    expect(scu.podScu(pod([{ cpu: "500m", memory: "5Gi" }]))).to.equal(3);
    expect(scu.podScu(pod([{ cpu: "1", "ephemeral-storage": "41Gi" }]))).to.equal(3);
  });

  it("sums containers, keeps the largest init container and adds overhead", () => {
    expect(scu.podScu(pod([{ cpu: "1" }, { cpu: "1500m" }]))).to.equal(3);
    expect(scu.podScu(pod([{ cpu: "1" }], [{ cpu: "4" }]))).to.equal(4);
    expect(scu.podScu(pod([{ cpu: "1" }], [], { cpu: "250m" }))).to.equal(2);
  });

  it("falls back to limits and counts an empty pod as one SCU", () => {
    expect(scu.podScu({ containers: [{ resources: { limits: { cpu: "3" } } }] })).to.equal(3);
    expect(scu.podScu({ containers: [{}] })).to.equal(1);
    expect(scu.podScu({})).to.equal(1);
  });

  it("follows another SCU unit when the chain sets one", () => {
    const small = new ScuCalculator({ cpu: "500m", memory: "1Gi", storage: "10Gi" });
    expect(small.podScu(pod([{ cpu: "1", memory: "1Gi" }]))).to.equal(2);
    expect(() => new ScuCalculator({ cpu: "0", memory: "1Gi", storage: "1Gi" })).to.throw(
      "cpu must be positive",
    );
  });
});
