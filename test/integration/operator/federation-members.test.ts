// Federation against members that fail or lie: a member's operator restart leaves the workloads it runs alone, and
// a hostile member's claims on another cluster's records are refused in CheckTx.
import { expect } from "chai";
import { POD } from "../../../kube-runtime/builtin-resources.js";
import { copyName } from "../../../operator/federation/order-workload.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import { waitFor } from "../../../process/wait-for.js";
import { expectHostileClaimsRefused } from "../../support/hostile-claims.js";
import { federationSuite } from "./support/federation-suite.js";

describe("federation: members that restart or lie", function () {
  const fed = federationSuite(this, { names: ["east", "hostile"], startWith: ["east"], timeoutMs: 240_000 });
  const { members } = fed;

  before(async () => {
    await fed.world.client.create(COMPUTE_CONTRACT, fed.remoteContract({ name: "steady" }));
    await waitFor(
      async () => {
        const s = await fed.homeStatus("steady");
        return s?.phase === "Running" && s.readyReplicas === 1 ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 300, description: "steady running in member-east" },
    );
  });

  it("a member's operator restart leaves the workloads it runs untouched", async () => {
    const { reader } = fed;
    const running = await fed.homeStatus("steady");
    const holder = members.find((m) => m.clusterId === running!.placement!.cluster)!;
    const podUids = async (): Promise<string[]> =>
      (await holder.client.list(POD, { namespace: "uranus-from-home" })).items
        .map((p) => p.metadata.uid!)
        .sort();
    const before = await podUids();
    expect(before.length).to.be.greaterThan(0);
    await holder.stopOperator();
    await holder.startOperator();
    // A few heartbeats later: same order epoch, same pods, still reported Running at home.
    const cluster = await reader.federation.cluster(holder.clusterId);
    await waitFor(
      async () => {
        const now = await reader.federation.cluster(holder.clusterId);
        return now!.lastHeartbeatHeight >= cluster!.lastHeartbeatHeight + 3 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: `${holder.clusterId} heartbeating again` },
    );
    expect(await podUids()).to.deep.equal(before);
    const after = await fed.homeStatus("steady");
    expect(after!.placement!.epoch).to.equal(running!.placement!.epoch);
    expect(after!.readyReplicas).to.equal(1);
  });

  it("refuses a hostile member's claims in CheckTx: another's heartbeat, id, report, lease and metering", async () => {
    const { reader } = fed;
    const hostile = fed.keys.hostile!.operator;
    const running = (await fed.homeStatus("steady"))!;
    const victim = running.placement!.cluster!;
    const contractId = running.contractId!;
    expect((await reader.market.contract(contractId))!.operator).to.not.equal(hostile.address.toLowerCase());
    const victimPod = (
      await members.find((m) => m.clusterId === victim)!.client.list(POD, { namespace: "uranus-from-home" })
    ).items.find((p) => p.metadata.labels?.["uranus.io/contract"] === copyName(contractId))!;
    await expectHostileClaimsRefused(fed.world.chain.client, hostile, {
      cluster: victim,
      contractId,
      epoch: running.placement!.epoch!,
      lease: (await reader.market.lease(victimPod.metadata.uid!))!,
    });
  });
});
