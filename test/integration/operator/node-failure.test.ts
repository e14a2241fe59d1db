// Node failure and placement drift: a replica whose node goes NotReady runs elsewhere within the SLA (Kubernetes
// alone would wait 300 s), with exactly one breach on chain and no second billed twice; RequiredDuringExecution
// moves a pod whose node stops matching.
import { expect } from "chai";
import type { PowerContainer } from "../../../crds/types.js";
import { KWOK_NODE_ANNOTATION } from "../../../local-cluster/control-plane.js";
import { waitFor } from "../../../process/wait-for.js";
import type { ChainReader } from "../../../operator/chain/chain-reader.js";
import type { Lease } from "../../../chain-sidecar/modules/market/market-types.js";
import { NODE } from "../../../kube-runtime/builtin-resources.js";
import { POWER_CONTAINER } from "../../../operator/uranus-resources.js";
import { boundPod, failNode, runningPod } from "./support/node-faults.js";
import { applyContract, operatorSuite, type OperatorWorld } from "./support/operator-world.js";

interface MigrationCounts {
  nodeFailed: number;
  noLongerMatches: number;
  recoveries: number;
}

/** The operator's migration metrics as its registry serves them: moves by reason, recoveries observed. */
async function migrationCounts(world: OperatorWorld): Promise<MigrationCounts> {
  const registry = world.operator!.runtime.metrics.registry;
  const moves = (await registry.getSingleMetric("uranus_migrations_total")!.get()).values;
  const recovery = (await registry.getSingleMetric("uranus_migration_recovery_seconds")!.get()).values;
  const moved = (reason: string) => moves.find((v) => v.labels.reason === reason)?.value ?? 0;
  return {
    nodeFailed: moved("NodeFailed"),
    noLongerMatches: moved("NodeNoLongerMatches"),
    recoveries:
      recovery.find(
        (v) => (v as { metricName?: string }).metricName === "uranus_migration_recovery_seconds_count",
      )?.value ?? 0,
  };
}

describe("operator node failure: migration within the SLA, one breach, nothing billed twice", function () {
  const suite = operatorSuite(this, { nodes: 4, timeoutMs: 300_000 });
  let world: OperatorWorld, reader: ChainReader;
  before(() => ({ world, reader } = suite));

  function endedLease(podUid: string, description: string): Promise<Lease> {
    return waitFor(
      async () => {
        const lease = await reader.market.lease(podUid);
        return lease !== undefined && lease.endedAt > 0 ? lease : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description },
    );
  }

  it("moves the replica off a NotReady node within 10 s, records one breach and bills the old pod only to the failure", async () => {
    // The SLA is generous here (its recovery breach has its own test): the operator's own part is checked below.
    await applyContract(world, { name: "survivor", recoverWithin: "120s" });
    const old = await runningPod(world, "survivor");
    const failed = old.spec!.nodeName!;
    await waitFor(
      async () => ((await reader.metering.settlement(old.metadata.uid!)) !== undefined ? true : undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: "the first pod billed once",
      },
    );
    const counted = await migrationCounts(world);
    const failure = new Date(Math.floor(Date.now() / 1000) * 1000);
    const started = performance.now();
    await failNode(world, failed, failure);
    // The operator's part of the SLA: a replacement bound to a healthy node within 10 s. Running follows as fast
    // as kwok (the fake kubelet) reports it, which on a loaded machine can take longer than the operator.
    const bound = await boundPod(world, "survivor", failed);
    const boundSeconds = (performance.now() - started) / 1000;
    expect(boundSeconds, "replacement placed within the SLA's 10 s").to.be.lessThan(10);
    const replacement = await runningPod(world, "survivor", failed);
    expect(replacement.metadata.uid).to.equal(bound.metadata.uid);

    const oldLease = await endedLease(old.metadata.uid!, "the failed pod's lease ended");
    expect(oldLease.outcome).to.equal("migrated");
    expect(oldLease.endedAt, "billing stops at the failure").to.equal(failure.getTime() / 1000);
    const oldBill = await waitFor(
      async () => {
        const s = await reader.metering.settlement(old.metadata.uid!);
        return s?.billedTo === oldLease.endedAt ? s : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "the failed pod billed exactly to the failure" },
    );
    expect(oldBill.billedTo - oldBill.firstFrom).to.equal(oldBill.seconds);
    const newLease: Lease = await waitFor(() => reader.market.lease(replacement.metadata.uid!), {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: "the replacement's lease",
    });
    expect(newLease.nodeId).to.not.equal(failed);
    expect(newLease.startedAt, "no second of the replica billed twice").to.be.at.least(oldLease.endedAt);

    const contractId = oldLease.contractId;
    await waitFor(
      async () => ((await reader.market.contract(contractId))?.breaches === 1 ? true : undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: "one breach on chain",
      },
    );
    const pc = await waitFor(
      async () => {
        const found = await world.client.get<PowerContainer>(POWER_CONTAINER, {
          namespace: world.namespace,
          name: "survivor-0",
        });
        const migrating = found.status?.conditions?.find((c) => c.type === "Migrating");
        return migrating?.reason === "MigrationCompleted" ? found : undefined;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: "the PowerContainer reports the migration completed",
      },
    );
    expect(pc.status?.migrations).to.equal(1);
    expect(pc.status?.nodeName).to.equal(replacement.spec!.nodeName);
    expect(
      await migrationCounts(world),
      "one move for a failed node, its recovery time observed",
    ).to.deep.equal({
      ...counted,
      nodeFailed: counted.nodeFailed + 1,
      recoveries: counted.recoveries + 1,
    });
    // Two more metering intervals: still exactly one breach, and the failed node's standing shows it.
    await new Promise((resolve) => setTimeout(resolve, 2 * world.settings.meteringIntervalMs));
    expect((await reader.market.contract(contractId))!.breaches).to.equal(1);
    expect((await reader.poc.standing(failed))!.breaches).to.equal(1);
    const [breach, ...more] = await reader.market.breaches(contractId);
    expect(more).to.deep.equal([]);
    expect(breach).to.deep.include({ kind: "availability", nodeId: failed, podUid: old.metadata.uid });
  });

  it("RequiredDuringExecution: a pod whose node stops matching moves to a node that matches", async () => {
    const zone = "uranus.test/zone";
    const healthy = [];
    for (const name of world.nodeNames) {
      const node = await world.client.get<{ metadata: { annotations?: Record<string, string> } }>(NODE, {
        name,
      });
      if (node.metadata.annotations?.[KWOK_NODE_ANNOTATION] === "fake") healthy.push(name);
    }
    for (const name of healthy)
      await world.client.mergePatch(NODE, { name }, { metadata: { labels: { [zone]: "a" } } });
    await applyContract(world, {
      name: "picky",
      executionPolicy: "RequiredDuringExecution",
      requireLabel: { key: zone, value: "a" },
    });
    const before = await runningPod(world, "picky");
    const drifted = before.spec!.nodeName!;
    expect(healthy).to.include(drifted);
    const counted = await migrationCounts(world);
    await world.client.mergePatch(NODE, { name: drifted }, { metadata: { labels: { [zone]: "b" } } });
    const after = await runningPod(world, "picky", drifted);
    expect(healthy.filter((name) => name !== drifted)).to.include(after.spec!.nodeName);
    const lease = await endedLease(before.metadata.uid!, "the drifted pod's lease ended");
    expect(lease.outcome).to.equal("migrated");
    expect((await migrationCounts(world)).noLongerMatches).to.equal(counted.noLongerMatches + 1);
  });
});
