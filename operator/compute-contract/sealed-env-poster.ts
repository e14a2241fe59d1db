// The home side of Secret-backed env for a contract another cluster runs: once the chain assigns it, the values are
// read here and posted sealed to that cluster's key (SealOrderEnv, from the payer), again for every new epoch.
import { SealOrderEnvMsg, type Order } from "../../chain-sidecar/modules/federation/federation-types.js";
import type { ComputeContract } from "../../crds/types.js";
import { SECRET } from "../../kube-runtime/builtin-resources.js";
import { isNotFound } from "../../kube-runtime/kube-api-error.js";
import type { KubeObject } from "../../kube-runtime/resource.js";
import type { OperatorContext } from "../operator-context.js";
import { sealEnv } from "../federation/sealed-env.js";

export class SealedEnvPoster {
  /** "contract/epoch" sealings this process sent, so a reconcile before the block does not send again. */
  private readonly posted = new Set<string>();

  constructor(private readonly ctx: OperatorContext) {}

  /** Posts the sealed env when the order's current epoch has none; answers why not when it cannot. */
  async ensure(cc: ComputeContract, order: Order): Promise<string | undefined> {
    const fromSecrets = (cc.spec.template.spec.env ?? []).filter((e) => e.valueFrom !== undefined);
    if (fromSecrets.length === 0 || order.state !== "assigned") return undefined;
    if (order.sealed !== "" && order.sealedEpoch === order.epoch) return undefined;
    const mark = `${order.contractId}/${order.epoch}`;
    if (this.posted.has(mark)) return undefined;
    const { chain, runtime } = this.ctx;
    const cluster = await chain.reader.federation.cluster(order.assignedCluster);
    if (cluster === undefined) return `member cluster ${order.assignedCluster} is not registered`;
    const namespace = cc.metadata.namespace!;
    const values: Record<string, string> = {};
    for (const env of fromSecrets) {
      const ref = env.valueFrom!.secretKeyRef;
      let secret: KubeObject & { data?: Record<string, string> };
      try {
        secret = await runtime.client.get(SECRET, { namespace, name: ref.name });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        return `env ${env.name}: Secret ${ref.name} does not exist`;
      }
      const encoded = secret.data?.[ref.key];
      if (encoded === undefined) return `env ${env.name}: Secret ${ref.name} has no key ${ref.key}`;
      values[env.name] = Buffer.from(encoded, "base64").toString("utf8");
    }
    const wallet = await chain.keys.payerWallet(namespace, cc.spec.payer.secretRef!);
    await chain.submitter.submit(wallet, SealOrderEnvMsg, {
      contractId: order.contractId,
      epoch: BigInt(order.epoch),
      sealed: sealEnv(values, cluster.encryptionKey),
    });
    this.posted.add(mark);
    return undefined;
  }
}
