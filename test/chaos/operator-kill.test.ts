// Chaos: while 200 contracts roll out, the operator process is killed with SIGKILL at random (seeded) moments 20
// times and started again. Afterwards everything has converged: one open contract on chain per ComputeContract (no
// duplicate opening), at most one live pod per PowerContainer, and no pod second billed twice.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import type { ManagedProcess } from "../../process/managed-process.js";
import { waitFor } from "../../process/wait-for.js";
import { ChainReader } from "../../operator/chain/chain-reader.js";
import type { PodSettlement } from "../../chain-sidecar/modules/metering/metering-types.js";
import { POD } from "../../kube-runtime/builtin-resources.js";
import { COMPUTE_CONTRACT } from "../../operator/uranus-resources.js";
import { LABEL, type ComputeContract } from "../../crds/types.js";
import {
  contractManifest,
  createWorld,
  waitForContributors,
  type OperatorWorld,
} from "../integration/operator/support/operator-world.js";
import { startOperatorProcess } from "../integration/operator/support/operator-process.js";
import { seededUniform } from "../support/seeded-uniform.js";

const CONTRACTS = Number(process.env.URANUS_CHAOS_CONTRACTS ?? 200);
const KILLS = Number(process.env.URANUS_CHAOS_KILLS ?? 20);
const SEED = Number(process.env.URANUS_CHAOS_SEED ?? 20_261_124);

async function settlementsOf(reader: ChainReader, contractId: string): Promise<PodSettlement[]> {
  const page = (await reader.client.queryJson(`/settlements/contract/${contractId}`)) as {
    settlements: { podUid: string }[];
    next: string | null;
  };
  const all: PodSettlement[] = [];
  for (const entry of page.settlements) all.push((await reader.metering.settlement(entry.podUid))!);
  expect(page.next, "one page is enough for one replica").to.equal(null);
  return all;
}

describe(`chaos: ${KILLS} SIGKILLs of the operator while ${CONTRACTS} contracts roll out`, function () {
  this.timeout(1_800_000);
  let world: OperatorWorld;
  let operator: ManagedProcess | undefined;
  const logDir = mkdtempSync(join(tmpdir(), "uranus-chaos-"));
  const logFile = join(logDir, "operator.log");

  before(async () => {
    world = await createWorld({
      nodes: 20,
      nodesPerOwner: 2,
      capacity: { cpu: "64", memory: "256Gi", pods: "110" },
    });
  });

  after(async () => {
    await operator?.stop();
    await world.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it("converges with one contract each on chain, no duplicate pods and no second billed twice", async function () {
    const random = seededUniform(SEED);
    operator = startOperatorProcess(world, logFile);
    await waitForContributors(world, 120_000);
    let applied = 0;
    const applying = (async () => {
      while (applied < CONTRACTS) {
        const name = `job-${applied++}`;
        await world.client.create(COMPUTE_CONTRACT, contractManifest(world, { name }));
      }
    })();
    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000 + random() * 4_000));
      process.kill(operator.pid, "SIGKILL");
      await operator.stop();
      operator = startOperatorProcess(world, logFile);
    }
    await applying;

    try {
      await waitFor(
        async () => {
          const list = await world.client.list<ComputeContract>(COMPUTE_CONTRACT, {
            namespace: world.namespace,
          });
          const ready = list.items.filter((cc) => cc.status?.readyReplicas === 1);
          return ready.length === CONTRACTS ? true : undefined;
        },
        {
          timeoutMs: 900_000,
          intervalMs: 2_000,
          description: `${CONTRACTS} contracts with their replica ready`,
        },
      );
    } catch (error) {
      console.log(readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n"));
      throw error;
    }

    const contracts = (
      await world.client.list<ComputeContract>(COMPUTE_CONTRACT, { namespace: world.namespace })
    ).items;
    const ids = contracts.map((cc) => cc.status!.contractId!);
    const holders = new Map<string, string[]>();
    for (const cc of contracts)
      holders.set(String(cc.status?.contractId), [
        ...(holders.get(String(cc.status?.contractId)) ?? []),
        cc.metadata.name!,
      ]);
    const shared = [...holders].filter(([, names]) => names.length > 1);
    expect(shared, "one chain contract per ComputeContract (contract id → ComputeContracts)").to.deep.equal(
      [],
    );
    expect(new Set(ids).size, "one chain contract per ComputeContract").to.equal(CONTRACTS);
    const reader = new ChainReader(world.chain.client);
    const onChain = (await reader.client.queryJson(
      `/contracts/payer/${world.payer.address.toLowerCase()}`,
    )) as {
      id: string;
    }[];
    expect(onChain.length, "no contract opened twice").to.equal(CONTRACTS);

    const pods = (
      await world.client.list<V1Pod & { metadata: NonNullable<V1Pod["metadata"]> }>(POD, {
        namespace: world.namespace,
      })
    ).items.filter(
      (pod) =>
        pod.metadata.deletionTimestamp === undefined &&
        pod.metadata.annotations?.["uranus.io/retired-at"] === undefined,
    );
    const perContainer = new Map<string, number>();
    for (const pod of pods) {
      const pc = pod.metadata.labels![LABEL.powerContainer]!;
      perContainer.set(pc, (perContainer.get(pc) ?? 0) + 1);
    }
    expect(
      [...perContainer.values()].every((n) => n === 1),
      "one live pod per PowerContainer",
    ).to.equal(true);
    expect(perContainer.size).to.equal(CONTRACTS);

    // Billing: every pod's billed seconds are one unbroken run, and pods of a replica never overlap in time.
    await new Promise((resolve) => setTimeout(resolve, 2 * world.settings.meteringIntervalMs));
    let billedPods = 0;
    for (const id of ids) {
      const settlements = (await settlementsOf(reader, id)).sort((a, b) => a.firstFrom - b.firstFrom);
      for (const [i, s] of settlements.entries()) {
        expect(s.billedTo - s.firstFrom, `pod ${s.podUid} billed without gaps or repeats`).to.equal(
          s.seconds,
        );
        if (i > 0) expect(s.firstFrom, `pods of ${id} overlap`).to.be.at.least(settlements[i - 1]!.billedTo);
      }
      billedPods += settlements.length;
    }
    expect(billedPods, "the running pods were billed").to.be.at.least(CONTRACTS / 2);
    this.test!.title += ` (seed ${SEED})`;
  });
});
