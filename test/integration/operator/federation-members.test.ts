// Federation against members that fail or lie: a member's operator restart leaves the workloads it runs alone, and
// a hostile member's claims on another cluster's records are refused in CheckTx.
import { expect } from "chai";
import { ChainTxError } from "../../../chain-sidecar/client/chain-errors.js";
import {
  ClusterHeartbeatMsg,
  RegisterClusterMsg,
  ReportOrderMsg,
} from "../../../chain-sidecar/modules/federation/federation-types.js";
import { RecordLeaseMsg } from "../../../chain-sidecar/modules/market/market-types.js";
import { MeteringBatchMsg, meteringRoot } from "../../../chain-sidecar/modules/metering/metering-types.js";
import { ResultCode } from "../../../chain-sidecar/tx/tx-types.js";
import { POD } from "../../../kube-runtime/builtin-resources.js";
import { copyName } from "../../../operator/federation/order-workload.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import { waitFor } from "../../../process/wait-for.js";
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
    const client = fed.world.chain.client;
    await client.submit(hostile, RegisterClusterMsg, {
      clusterId: "member-hostile",
      regions: ["eu-west"],
      isolation: ["runc"],
      endpointHost: "hostile.example",
      portFirst: 30000n,
      portLast: 30001n,
      encryptionKey: hostile.signingKey.compressedPublicKey,
    });
    const running = await fed.homeStatus("steady");
    const victim = running!.placement!.cluster!;
    const contractId = running!.contractId!;
    const lease = (await reader.market.contract(contractId))!;
    expect(lease.operator).to.not.equal(hostile.address.toLowerCase());
    const victimPod = (
      await members.find((m) => m.clusterId === victim)!.client.list(POD, { namespace: "uranus-from-home" })
    ).items.find((p) => p.metadata.labels?.["uranus.io/contract"] === copyName(contractId))!;
    const victimLease = (await reader.market.lease(victimPod.metadata.uid!))!;
    const record = {
      podUid: victimLease.podUid,
      contractId,
      replica: BigInt(victimLease.replica),
      nodeId: victimLease.nodeId,
      scu: BigInt(victimLease.scu),
      fromTime: BigInt(victimLease.startedAt),
      toTime: BigInt(victimLease.startedAt) + 1n,
      cpuMillicores: 0n,
      memoryBytes: 0n,
    };
    const attempts: [string, () => Promise<unknown>][] = [
      [
        "heartbeat for another cluster",
        () => client.submit(hostile, ClusterHeartbeatMsg, { clusterId: victim, freeScu: 1_000n }),
      ],
      [
        "registration of another's id",
        () =>
          client.submit(hostile, RegisterClusterMsg, {
            clusterId: victim,
            regions: [],
            isolation: ["runc"],
            endpointHost: "hostile.example",
            portFirst: 1n,
            portLast: 2n,
            encryptionKey: hostile.signingKey.compressedPublicKey,
          }),
      ],
      [
        "report of an order assigned elsewhere",
        () =>
          client.submit(hostile, ReportOrderMsg, {
            contractId,
            epoch: BigInt(running!.placement!.epoch!),
            phase: "Failed",
            readyReplicas: 0n,
            endpoints: [],
          }),
      ],
      [
        "lease under a contract handed to another",
        () =>
          client.submit(hostile, RecordLeaseMsg, {
            contractId,
            replica: 0n,
            nodeId: victimLease.nodeId,
            podUid: "hostile-pod-uid",
            startedAt: BigInt(victimLease.startedAt),
          }),
      ],
      [
        "metering of another cluster's pod",
        () =>
          client.submit(hostile, MeteringBatchMsg, {
            contributor: victimLease.contributor,
            root: meteringRoot([record]),
            records: [record],
          }),
      ],
    ];
    for (const [what, attempt] of attempts) {
      const refused = await attempt().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused, what).to.be.instanceOf(ChainTxError);
      expect((refused as ChainTxError).stage, what).to.equal("check");
      expect((refused as ChainTxError).code, `${what}: ${(refused as Error).message}`).to.equal(
        ResultCode.UNAUTHORISED,
      );
    }
  });
});
