// The provider side: every order the chain assigned to this cluster runs as a local ComputeContract in a namespace
// of its home cluster's (restricted pods, default-deny network, a quota sized to its orders); copies of orders the
// chain took away or closed go; what the copies do is reported back on chain for the home cluster to mirror.
import {
  parseWorkload,
  ReportOrderMsg,
  type Order,
} from "../../chain-sidecar/modules/federation/federation-types.js";
import { API_VERSION, KIND, type ComputeContract } from "../../crds/types.js";
import { NAMESPACE, NETWORK_POLICY, RESOURCE_QUOTA, SECRET } from "../../kube-runtime/builtin-resources.js";
import { controllerReference } from "../../kube-runtime/owner-reference.js";
import { isAlreadyExists, isNotFound } from "../../kube-runtime/kube-api-error.js";
import type { KubeObject, ResourceType } from "../../kube-runtime/resource.js";
import type { Logger } from "../../observability/logger.js";
import type { OperatorContext } from "../operator-context.js";
import type { FederationSettings } from "../operator-settings.js";
import { COMPUTE_CONTRACT } from "../uranus-resources.js";
import {
  copyName,
  homeNamespace,
  ORDER_EPOCH_ANNOTATION,
  ORDER_LABEL,
  orderCopy,
  sealedEnvSecretName,
} from "./order-workload.js";
import { OrderExposure } from "./order-exposure.js";
import { openEnv } from "./sealed-env.js";

/** How often a running copy's contract is read again, to follow a resize by the payer. */
const CONTRACT_REREAD_MS = 5_000;
/** Quota headroom over the orders' own size: a replica that moves runs twice for a moment. */
const QUOTA_SURGE = 2;

/** What a copy reports: its phase and ready replicas (its endpoints come from order-exposure.ts). */
function reportOf(copy: ComputeContract | undefined): { phase: string; readyReplicas: number } {
  return { phase: copy?.status?.phase ?? "Pending", readyReplicas: copy?.status?.readyReplicas ?? 0 };
}

export class OrderCopies {
  private readonly log: Logger;
  /** Namespace → the quota last written, so a steady federation costs no call. */
  private readonly quotas = new Map<string, string>();
  /** Home namespaces made (with their policy) by this process, so a pass does not ask the apiserver again. */
  private readonly homesMade = new Set<string>();
  /** Sealed envs already written as Secrets, by contract, epoch and ciphertext length. */
  private readonly sealedWritten = new Set<string>();
  /** When each order's contract was last read from the chain (performance.now()). */
  private readonly contractReadAt = new Map<string, number>();
  /** Reports on their way to a block, by contract: what each says. */
  private readonly reporting = new Map<string, string>();

  private readonly exposure: OrderExposure;

  constructor(
    private readonly ctx: OperatorContext,
    federation: FederationSettings,
  ) {
    this.log = ctx.runtime.logger.child({ component: "order-copies" });
    this.exposure = new OrderExposure(ctx, federation);
  }

  /** One pass: materialize, retire and report. */
  async reconcile(): Promise<void> {
    const { chain, settings } = this.ctx;
    const orders = await chain.reader.federation.ordersOf(settings.clusterId);
    const assigned = new Map(orders.map((order) => [order.contractId, order]));
    for (const id of this.contractReadAt.keys()) if (!assigned.has(id)) this.contractReadAt.delete(id);
    const copies = this.copies();
    this.exposure.retain(new Set(copies.map((copy) => `${copy.metadata.namespace}/${copy.metadata.name}`)));
    for (const copy of copies) {
      const order = assigned.get(copy.metadata.labels![ORDER_LABEL]!);
      if (order === undefined && copy.metadata.deletionTimestamp === undefined) {
        this.log.info(
          { contract: copy.metadata.labels![ORDER_LABEL] },
          "order no longer ours: removing its copy",
        );
        await this.ctx.runtime.client.delete(COMPUTE_CONTRACT, {
          namespace: copy.metadata.namespace!,
          name: copy.metadata.name!,
        });
      }
    }
    const homes = new Map<string, Order[]>();
    for (const order of orders)
      homes.set(order.homeCluster, [...(homes.get(order.homeCluster) ?? []), order]);
    for (const [home, ofHome] of homes) await this.ensureHome(home, ofHome);
    for (const order of orders) await this.ensureCopy(order);
  }

  private copies(): ComputeContract[] {
    return this.ctx.informers.contracts.store
      .list()
      .filter((cc) => cc.metadata.labels?.[ORDER_LABEL] !== undefined);
  }

  private async ensureCopy(order: Order): Promise<void> {
    const { chain, runtime } = this.ctx;
    const workload = parseWorkload(order.workload, "order.workload");
    const existing = this.ctx.informers.contracts.store.get(
      `${homeNamespace(order.homeCluster)}/${copyName(order.contractId)}`,
    );
    const readAt = this.contractReadAt.get(order.contractId) ?? -Infinity;
    // A running copy of this epoch needs the chain's contract only now and then, to follow a resize.
    const steady =
      existing !== undefined &&
      existing.metadata.annotations?.[ORDER_EPOCH_ANNOTATION] === String(order.epoch) &&
      performance.now() - readAt < CONTRACT_REREAD_MS;
    if (steady) return this.report(order, existing, (workload.sealedEnv ?? []).length > 0);
    const contract = await chain.reader.market.contract(order.contractId);
    this.contractReadAt.set(order.contractId, performance.now());
    if (contract === undefined || contract.state === "closed") return;
    const needsSealed = (workload.sealedEnv ?? []).length > 0;
    // Its Secret-backed env comes sealed by the payer after assignment: nothing starts without it.
    if (needsSealed && (order.sealed === "" || order.sealedEpoch !== order.epoch)) return;
    const wanted = orderCopy(order, contract, workload);
    const key = `${wanted.metadata.namespace}/${wanted.metadata.name}`;
    let copy = this.ctx.informers.contracts.store.get(key);
    if (copy === undefined) {
      try {
        copy = await runtime.client.create(COMPUTE_CONTRACT, wanted);
        this.log.info(
          { contract: order.contractId, epoch: order.epoch },
          "running an order of another cluster",
        );
      } catch (error) {
        if (isNotFound(error)) {
          // Its namespace was removed behind this process: the next pass makes it again.
          this.homesMade.delete(wanted.metadata.namespace!);
          this.quotas.delete(wanted.metadata.namespace!);
        }
        if (!isAlreadyExists(error)) throw error;
        return;
      }
    } else if (copy.spec.replicas !== wanted.spec.replicas) {
      // The payer resized the contract at home: the copy follows the chain.
      await runtime.client.mergePatch(
        COMPUTE_CONTRACT,
        { namespace: copy.metadata.namespace!, name: copy.metadata.name! },
        { spec: { replicas: wanted.spec.replicas } },
      );
    } else if (copy.metadata.annotations?.[ORDER_EPOCH_ANNOTATION] !== String(order.epoch)) {
      await runtime.client.mergePatch(
        COMPUTE_CONTRACT,
        { namespace: copy.metadata.namespace!, name: copy.metadata.name! },
        {
          metadata: { annotations: { [ORDER_EPOCH_ANNOTATION]: String(order.epoch) } },
        },
      );
    }
    await this.report(order, copy, needsSealed);
  }

  /** Opens the sealed env into its Secret if needed, then reports the copy when the chain's word differs. */
  private async report(order: Order, copy: ComputeContract, needsSealed: boolean): Promise<void> {
    const { chain } = this.ctx;
    if (needsSealed) await this.ensureSealedEnv(order, copy);
    const report = { ...reportOf(copy), endpoints: await this.exposure.endpoints(copy) };
    const same =
      order.phase === report.phase &&
      order.readyReplicas === report.readyReplicas &&
      order.endpoints.join(",") === report.endpoints.join(",");
    const sending = `${order.epoch}/${report.phase}/${report.readyReplicas}/${report.endpoints.join(",")}`;
    if (same || this.reporting.get(order.contractId) === sending) return;
    const sent = await chain.submitter.send(await chain.keys.operatorWallet(), ReportOrderMsg, {
      contractId: order.contractId,
      epoch: BigInt(order.epoch),
      phase: report.phase,
      readyReplicas: BigInt(report.readyReplicas),
      endpoints: report.endpoints,
    });
    // Not waited for: the home cluster reads it from the block; until then the same report is not sent again.
    this.reporting.set(order.contractId, sending);
    const settled = (): void => {
      if (this.reporting.get(order.contractId) === sending) this.reporting.delete(order.contractId);
    };
    sent.committed.then(settled, (error: unknown) => {
      settled();
      this.log.warn({ err: error, contract: order.contractId }, "an order report was not committed");
    });
  }

  /** The sealed env opened with the operator's key into a Secret the copy owns (its pods read it by name). */
  private async ensureSealedEnv(order: Order, copy: ComputeContract): Promise<void> {
    const mark = `${order.contractId}/${order.epoch}/${order.sealed.length}`;
    if (this.sealedWritten.has(mark)) return;
    const values = openEnv(order.sealed, (await this.ctx.chain.keys.operatorWallet()).privateKey);
    const data = Object.fromEntries(
      Object.entries(values).map(([name, value]) => [name, Buffer.from(value).toString("base64")]),
    );
    const name = { namespace: copy.metadata.namespace!, name: sealedEnvSecretName(order.contractId) };
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        ...name,
        ownerReferences: [controllerReference(copy, API_VERSION, KIND.ComputeContract)],
      },
      data,
    } as KubeObject;
    if (!(await this.ensure(SECRET, secret)))
      await this.ctx.runtime.client.mergePatch(SECRET, name, { data });
    this.sealedWritten.add(mark);
  }

  /** The namespace and its default-deny policy, made once per home (again if a copy finds the namespace gone). */
  private async makeHome(home: string, namespace: string): Promise<void> {
    await this.ensure(NAMESPACE, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: namespace,
        labels: {
          "uranus.io/home-cluster": home,
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
        },
      },
    });
    await this.ensure(NETWORK_POLICY, {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "uranus-default-deny", namespace },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    } as KubeObject);
    this.homesMade.add(namespace);
  }

  /** The home cluster's namespace, its default-deny policy and a quota sized to its orders here. */
  private async ensureHome(home: string, orders: Order[]): Promise<void> {
    const namespace = homeNamespace(home);
    if (!this.homesMade.has(namespace)) await this.makeHome(home, namespace);
    const scu = orders.reduce((sum, order) => sum + order.scu, 0) * QUOTA_SURGE;
    const resources = this.ctx.scale.resources(scu);
    const hard = {
      "requests.cpu": resources.cpu,
      "requests.memory": resources.memory,
      "requests.ephemeral-storage": resources["ephemeral-storage"],
    };
    const written = JSON.stringify(hard);
    if (this.quotas.get(namespace) === written) return;
    const quota = {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "uranus-orders", namespace },
      spec: { hard },
    } as KubeObject;
    if (!(await this.ensure(RESOURCE_QUOTA, quota)))
      await this.ctx.runtime.client.mergePatch(
        RESOURCE_QUOTA,
        { namespace, name: "uranus-orders" },
        { spec: { hard } },
      );
    this.quotas.set(namespace, written);
  }

  /** Creates the object unless it exists; true when it was created. */
  private async ensure(type: ResourceType, object: KubeObject): Promise<boolean> {
    try {
      await this.ctx.runtime.client.create(type, object);
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
  }
}
