import { expect } from "chai";
import nock from "nock";
import { KWOK_NODE_ANNOTATION as LOCAL_CLUSTER_KWOK_ANNOTATION } from "../../../../local-cluster/control-plane.js";
import type { Logger } from "../../../../observability/logger.js";
import type { KubeNode } from "../../../../operator/operator-context.js";
import {
  KWOK_NODE_ANNOTATION,
  PodUsageReader,
  parseSummary,
  summaryPath,
} from "../../../../operator/metering/pod-usage.js";
import { UsageSamples, withinChainLimits } from "../../../../operator/metering/usage-samples.js";
import { SERVER, isolateNock, testKubeClient } from "../../kube-runtime/support/nock-apiserver.js";

/** A kubelet's stats/summary for pods given as [uid, usageNanoCores, workingSetBytes]. */
function summary(...pods: [string, number | undefined, number | undefined][]) {
  return {
    node: { nodeName: "n", cpu: { usageNanoCores: 1 }, memory: { workingSetBytes: 1 } },
    pods: pods.map(([uid, nanoCores, workingSet]) => ({
      podRef: { name: `pod-${uid}`, namespace: "tenant", uid },
      cpu: nanoCores === undefined ? undefined : { time: "2025-01-01T00:00:00Z", usageNanoCores: nanoCores },
      memory:
        workingSet === undefined
          ? undefined
          : { time: "2025-01-01T00:00:00Z", workingSetBytes: workingSet, usageBytes: workingSet * 2 },
    })),
  };
}

function node(name: string, annotations?: Record<string, string>): KubeNode {
  return { apiVersion: "v1", kind: "Node", metadata: { name, ...(annotations ? { annotations } : {}) } };
}

/** A logger that keeps its warn and info lines. */
function capturingLogger(): { log: Logger; warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  const log = {
    warn: (fields: { node?: string }) => warnings.push(fields.node ?? ""),
    info: (fields: { node?: string }) => infos.push(fields.node ?? ""),
  } as unknown as Logger;
  return { log, warnings, infos };
}

const query = { only_cpu_and_memory: "true" };

describe("operator metering: pod usage from the kubelet Summary API", () => {
  isolateNock();

  it("turns usageNanoCores into millicores and keeps the working set, by pod UID", () => {
    const usage = parseSummary(summary(["a", 250_400_000, 52_428_800], ["b", 1_600_000, 4096]));
    expect([...usage]).to.deep.equal([
      ["a", { cpuMillicores: 250n, memoryBytes: 52_428_800n }],
      ["b", { cpuMillicores: 2n, memoryBytes: 4096n }],
    ]);
  });

  it("leaves out pods without both CPU and a non-zero working set, and bodies that are no summary", () => {
    const usage = parseSummary(
      summary(["no-cpu", undefined, 100], ["no-memory", 5_000_000, undefined], ["empty", 5_000_000, 0]),
    );
    expect(usage.size).to.equal(0);
    expect(parseSummary(null).size).to.equal(0);
    expect(parseSummary({ pods: "nope" }).size).to.equal(0);
    expect(
      parseSummary({ pods: [{ cpu: { usageNanoCores: 1 }, memory: { workingSetBytes: 1 } }] }).size,
    ).to.equal(0);
  });

  it("reads each real node through the apiserver's node proxy and never asks kwok's fake nodes", async () => {
    const scope = nock(SERVER)
      .get(summaryPath("real-1"))
      .query(query)
      .reply(200, summary(["a", 1_000_000_000, 1 << 30]))
      .get(summaryPath("real-2"))
      .query(query)
      .reply(200, summary(["b", 500_000_000, 1 << 20]));
    const reader = new PodUsageReader(testKubeClient(), capturingLogger().log);
    const usage = await reader.read([
      node("real-1"),
      node("real-2"),
      node("fake-1", { [KWOK_NODE_ANNOTATION]: "fake" }),
      node("stopped", { [KWOK_NODE_ANNOTATION]: "stopped" }),
    ]);
    expect(scope.isDone()).to.equal(true);
    expect(usage.get("a")).to.deep.equal({ cpuMillicores: 1000n, memoryBytes: 1n << 30n });
    expect(usage.get("b")).to.deep.equal({ cpuMillicores: 500n, memoryBytes: 1n << 20n });
  });

  it("goes on without a node that cannot be read, warning once per failure streak", async () => {
    const { log, warnings, infos } = capturingLogger();
    const reader = new PodUsageReader(testKubeClient(), log);
    for (let round = 0; round < 3; round++) {
      nock(SERVER).get(summaryPath("down")).query(query).reply(503, { kind: "Status", code: 503 });
      nock(SERVER)
        .get(summaryPath("up"))
        .query(query)
        .reply(200, summary(["u", 3_000_000, 9_000]));
      const usage = await reader.read([node("down"), node("up")]);
      expect([...usage.keys()], `round ${round}`).to.deep.equal(["u"]);
    }
    expect(warnings).to.deep.equal(["down"]);
    nock(SERVER)
      .get(summaryPath("down"))
      .query(query)
      .reply(200, summary(["d", 1_000_000, 1]));
    nock(SERVER).get(summaryPath("up")).query(query).reply(200, summary());
    expect([...(await reader.read([node("down"), node("up")])).keys()]).to.deep.equal(["d"]);
    expect(infos).to.deep.equal(["down"]);
    nock(SERVER).get(summaryPath("down")).query(query).replyWithError("connection refused");
    expect((await reader.read([node("down")])).size).to.equal(0);
    expect(warnings, "a new streak warns again").to.deep.equal(["down", "down"]);
  });

  it("knows kwok's fake nodes by the annotation local-cluster gives them", () => {
    expect(KWOK_NODE_ANNOTATION).to.equal(LOCAL_CLUSTER_KWOK_ANNOTATION);
  });
});

describe("operator metering: usage samples and what a record carries", () => {
  const at = (cpu: bigint, memory: bigint) => ({ cpuMillicores: cpu, memoryBytes: memory });

  it("averages the samples taken within the record's interval, ends included, rounding to the nearest", () => {
    const samples = new UsageSamples();
    samples.add("p", 100, at(100n, 1000n));
    samples.add("p", 160, at(301n, 3001n));
    samples.add("p", 220, at(900n, 9000n));
    expect(samples.average("p", 100, 160)).to.deep.equal(at(201n, 2001n));
    expect(samples.average("p", 161, 220)).to.deep.equal(at(900n, 9000n));
    expect(samples.average("p", 221, 280)).to.equal(undefined);
    expect(samples.average("q", 0, 1_000)).to.equal(undefined);
  });

  it("forgets what was billed, keeping the sample at the boundary for the next record, and pods no longer billed", () => {
    const samples = new UsageSamples();
    samples.add("p", 100, at(1n, 1n));
    samples.add("p", 160, at(3n, 3n));
    samples.add("gone", 160, at(5n, 5n));
    samples.billed("p", 160);
    expect(samples.average("p", 0, 1_000)).to.deep.equal(at(3n, 3n));
    samples.retain(new Set(["p"]));
    expect(samples.average("gone", 0, 1_000)).to.equal(undefined);
  });

  it("keeps at most 64 samples of a pod whose billing stalls", () => {
    const samples = new UsageSamples();
    for (let i = 0; i < 100; i++) samples.add("p", i, at(BigInt(i), 1n));
    expect(samples.average("p", 0, 35)).to.equal(undefined);
    expect(samples.average("p", 0, 99)?.cpuMillicores, "the mean of 36..99, rounded").to.equal(68n);
  });

  it("clamps usage to what the chain accepts (1000 times the reservation), which bills the same", () => {
    const unit = { scuCpuMillicores: 1000, scuMemoryBytes: 2 ** 31 };
    expect(withinChainLimits(at(5_000_000n, 1n << 50n), 2, unit)).to.deep.equal(
      at(2_000_000n, 2000n * (1n << 31n)),
    );
    expect(withinChainLimits(at(700n, 1n << 30n), 2, unit)).to.deep.equal(at(700n, 1n << 30n));
  });
});
