// A hostile member's claims on another cluster's records, each of which CheckTx must refuse as UNAUTHORISED: used
// by the integration suite (solo chain) and the e2e suite (CometBFT testnet) alike.
import { expect } from "chai";
import type { Wallet } from "ethers";
import type { ChainClient } from "../../chain-sidecar/client/chain-client.js";
import { ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import {
  ClusterHeartbeatMsg,
  RegisterClusterMsg,
  ReportOrderMsg,
} from "../../chain-sidecar/modules/federation/federation-types.js";
import { RecordLeaseMsg, type Lease } from "../../chain-sidecar/modules/market/market-types.js";
import { MeteringBatchMsg, meteringRoot } from "../../chain-sidecar/modules/metering/metering-types.js";
import { ResultCode } from "../../chain-sidecar/tx/tx-types.js";

export interface Victim {
  /** The cluster that holds the order. */
  cluster: string;
  contractId: string;
  epoch: number;
  /** The lease of the pod the victim runs for it. */
  lease: Lease;
}

/** Registers `hostile` as a cluster of its own, then makes every claim on `victim`'s records; each must be refused. */
export async function expectHostileClaimsRefused(
  client: ChainClient,
  hostile: Wallet,
  victim: Victim,
): Promise<void> {
  const offer = {
    regions: ["eu-west"],
    isolation: ["runc"],
    endpointHost: "hostile.example",
    portFirst: 30000n,
    portLast: 30001n,
    encryptionKey: hostile.signingKey.compressedPublicKey,
  };
  await client.submit(hostile, RegisterClusterMsg, { clusterId: "member-hostile", ...offer });
  const { lease, contractId } = victim;
  const record = {
    podUid: lease.podUid,
    contractId,
    replica: BigInt(lease.replica),
    nodeId: lease.nodeId,
    scu: BigInt(lease.scu),
    fromTime: BigInt(lease.startedAt),
    toTime: BigInt(lease.startedAt) + 1n,
    cpuMillicores: 0n,
    memoryBytes: 0n,
  };
  const attempts: [string, () => Promise<unknown>][] = [
    [
      "heartbeat for another cluster",
      () => client.submit(hostile, ClusterHeartbeatMsg, { clusterId: victim.cluster, freeScu: 1_000n }),
    ],
    [
      "registration of another's id",
      () => client.submit(hostile, RegisterClusterMsg, { clusterId: victim.cluster, ...offer }),
    ],
    [
      "report of an order assigned elsewhere",
      () =>
        client.submit(hostile, ReportOrderMsg, {
          contractId,
          epoch: BigInt(victim.epoch),
          phase: "Failed",
          readyReplicas: 0n,
          endpoints: ["hostile.example:30000"],
        }),
    ],
    [
      "lease under a contract handed to another",
      () =>
        client.submit(hostile, RecordLeaseMsg, {
          contractId,
          replica: 0n,
          nodeId: lease.nodeId,
          podUid: "hostile-pod-uid",
          startedAt: BigInt(lease.startedAt),
        }),
    ],
    [
      "metering of another cluster's pod",
      () =>
        client.submit(hostile, MeteringBatchMsg, {
          contributor: lease.contributor,
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
}
