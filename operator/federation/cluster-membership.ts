// This cluster as a member of the federation: registered on chain from its settings (again whenever they or the
// chain's record differ), and a heartbeat carrying its free SCU, so the chain keeps it online and can place orders.
import { SigningKey } from "ethers";
import {
  ClusterHeartbeatMsg,
  RegisterClusterMsg,
  type Cluster,
  type RegisterCluster,
} from "../../chain-sidecar/modules/federation/federation-types.js";
import type { OperatorContext } from "../operator-context.js";
import type { FederationSettings } from "../operator-settings.js";

/**
 * SCU the contributor nodes can still take: capacity less what is allocated, over every node. None when the operator
 * watches one namespace: it would never see the copies it makes in a home cluster's namespace.
 */
export function freeScu(ctx: OperatorContext): number {
  if (ctx.settings.watchNamespace !== undefined) return 0;
  let free = 0;
  for (const cn of ctx.informers.contributorNodes.store.list()) {
    const capacity = cn.status?.capacitySCU ?? 0;
    free += Math.max(0, capacity - (cn.status?.allocatedSCU ?? 0));
  }
  return free;
}

/** The registration these settings ask for, from the operator's key. */
export function registration(
  clusterId: string,
  federation: FederationSettings,
  operatorPublicKey: string,
): RegisterCluster {
  return {
    clusterId,
    regions: [...federation.regions].sort(),
    isolation: [...federation.isolation].sort(),
    endpointHost: federation.endpointHost,
    portFirst: BigInt(federation.portFirst),
    portLast: BigInt(federation.portLast),
    encryptionKey: operatorPublicKey,
  };
}

function sameRegistration(record: Cluster, wanted: RegisterCluster): boolean {
  return (
    record.regions.join(",") === wanted.regions.join(",") &&
    record.isolation.join(",") === wanted.isolation.join(",") &&
    record.endpointHost === wanted.endpointHost &&
    BigInt(record.portFirst) === wanted.portFirst &&
    BigInt(record.portLast) === wanted.portLast &&
    record.encryptionKey.toLowerCase() === wanted.encryptionKey.toLowerCase()
  );
}

export class ClusterMembership {
  private registered = false;

  constructor(
    private readonly ctx: OperatorContext,
    private readonly federation: FederationSettings,
  ) {}

  /** Registers when the chain's record is missing or differs; then heartbeats. Throws what CheckTx refused. */
  async heartbeat(): Promise<void> {
    const { chain, settings } = this.ctx;
    const wallet = await chain.keys.operatorWallet();
    if (!this.registered) {
      const wanted = registration(
        settings.clusterId,
        this.federation,
        SigningKey.computePublicKey(wallet.signingKey.publicKey, true),
      );
      const record = await chain.reader.federation.cluster(settings.clusterId);
      if (record === undefined || !sameRegistration(record, wanted))
        await chain.submitter.submit(wallet, RegisterClusterMsg, wanted);
      this.registered = true;
    }
    // Admitted is enough: the next pass heartbeats again, and waiting for each block would slow the order work.
    const sent = await chain.submitter.send(wallet, ClusterHeartbeatMsg, {
      clusterId: settings.clusterId,
      freeScu: BigInt(freeScu(this.ctx)),
    });
    sent.committed.catch((error: unknown) => {
      this.ctx.runtime.logger.warn({ err: error }, "a cluster heartbeat was not committed");
    });
  }
}
