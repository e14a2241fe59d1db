import { expect } from "chai";
import {
  networkSample,
  NodeNetwork,
  throughputMbps,
} from "../../../../operator/contributor-node/node-network.js";
import type { KubeNode } from "../../../../operator/operator-context.js";

const summary = (time: string, rxBytes: number, txBytes: number): unknown => ({
  node: { network: { time, rxBytes, txBytes } },
});

describe("operator: a real node's measured network figure", () => {
  it("reads the node's interface totals and turns two samples into Mbps", () => {
    const from = networkSample(summary("2026-12-04T10:00:00Z", 1_000, 0))!;
    const to = networkSample(summary("2026-12-04T10:00:10Z", 12_501_000, 0))!;
    expect(throughputMbps(from, to)).to.equal(10);
    expect(throughputMbps(to, from)).to.equal(0);
    expect(networkSample({ node: {} })).to.equal(undefined);
  });

  it("keeps the peak between heartbeats, and leaves kwok's fake nodes at 0 without asking them", async () => {
    const bodies = [
      summary("2026-12-04T10:00:00Z", 0, 0),
      summary("2026-12-04T10:00:01Z", 2_500_000, 0),
      summary("2026-12-04T10:00:02Z", 2_600_000, 0),
    ];
    const asked: string[] = [];
    const network = new NodeNetwork({
      request: (_method, path) => {
        asked.push(path);
        return Promise.resolve(bodies.shift());
      },
    });
    const real = { metadata: { name: "real-node-0" } } as KubeNode;
    expect(await network.peakMbps(real)).to.equal(0n);
    expect(await network.peakMbps(real)).to.equal(20n);
    expect(await network.peakMbps(real)).to.equal(20n);
    const fake = { metadata: { name: "kwok-1", annotations: { "kwok.x-k8s.io/node": "fake" } } } as KubeNode;
    expect(await network.peakMbps(fake)).to.equal(0n);
    expect(asked).to.deep.equal(Array(3).fill("/api/v1/nodes/real-node-0/proxy/stats/summary"));
  });
});
