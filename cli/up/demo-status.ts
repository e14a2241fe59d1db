// Where the demo stands: each contract's phase and pods from the cluster, and its escrow and pod settlements from
// the chain. "Done" is every contract Running with all its replicas and the first settlement on chain.
import type { V1Pod } from "@kubernetes/client-node";
import type { ChainClient } from "../../chain-sidecar/client/chain-client.js";
import { DEFAULTS, LABEL, type ComputeContract } from "../../crds/types.js";
import { ChainReader } from "../../operator/chain/chain-reader.js";
import type { NodeStanding } from "../../chain-sidecar/client/chain-views.js";
import { POD } from "../../kube-runtime/builtin-resources.js";
import type { KubeClient } from "../../kube-runtime/kube-client.js";
import { COMPUTE_CONTRACT } from "../../operator/uranus-resources.js";

export interface ContractStatus {
  namespace: string;
  name: string;
  phase: string;
  replicas: number;
  readyReplicas: number;
  contractId?: string;
  /** Why it is not Running yet: the first condition that is not True. */
  waitingFor?: string;
  podsRunning: number;
  nodes: string[];
  /** The member cluster the federation runs it in (status.placement.cluster), for placement Any or Others. */
  placement?: string;
  /** From the chain, once the contract is open there. */
  escrowSpent?: bigint;
  escrowRemaining?: bigint;
}

export interface DemoStatus {
  contracts: ContractStatus[];
  podsRunning: number;
  pods: number;
  /** Pods of which the chain holds a settlement with metered seconds. */
  settledPods: number;
  /** Running pods per node name. */
  podsOnNode: Map<string, number>;
  contributors: NodeStanding[];
}

export function allRunningAndSettled(status: DemoStatus): boolean {
  return (
    status.contracts.length > 0 &&
    status.contracts.every((c) => c.phase === "Running" && c.readyReplicas >= c.replicas) &&
    status.settledPods > 0
  );
}

export class DemoStatusReader {
  private readonly chain: ChainReader;
  /** Settlements never go away, so a pod found settled is not asked about again. */
  private readonly settled = new Set<string>();

  /** `contracts`: "namespace/name" of the demo's contracts; others in the cluster are not the demo's concern. */
  constructor(
    private readonly kube: KubeClient,
    chain: ChainClient,
    private readonly contracts: { has(key: string): boolean },
  ) {
    this.chain = new ChainReader(chain);
  }

  async read(): Promise<DemoStatus> {
    const [contracts, pods, contributors] = await Promise.all([
      this.kube.list<ComputeContract>(COMPUTE_CONTRACT),
      this.kube.list<V1Pod & { metadata: { name: string } }>(POD, { labelSelector: LABEL.contract }),
      this.chain.poc.standings(),
    ]);
    const ours = contracts.items.filter((cc) =>
      this.contracts.has(`${cc.metadata.namespace ?? "default"}/${cc.metadata.name}`),
    );
    const running = pods.items.filter(
      (pod) =>
        pod.status?.phase === "Running" &&
        this.contracts.has(`${pod.metadata.namespace}/${pod.metadata.labels?.[LABEL.contract]}`),
    );
    await Promise.all(
      running
        .map((pod) => pod.metadata.uid!)
        .filter((uid) => !this.settled.has(uid))
        .map(async (uid) => {
          const settlement = await this.chain.metering.settlement(uid);
          if (settlement !== undefined && settlement.seconds > 0) this.settled.add(uid);
        }),
    );
    const statuses = await Promise.all(
      ours.map(async (cc): Promise<ContractStatus> => {
        const namespace = cc.metadata.namespace ?? "default";
        const own = running.filter(
          (pod) =>
            pod.metadata.namespace === namespace &&
            pod.metadata.labels?.[LABEL.contract] === cc.metadata.name,
        );
        const id = cc.status?.contractId;
        const onChain = id === undefined ? undefined : await this.chain.market.contract(id);
        const waiting = cc.status?.conditions?.find((c) => c.status !== "True");
        return {
          namespace,
          name: cc.metadata.name!,
          phase: cc.status?.phase ?? "Pending",
          replicas: cc.spec.replicas ?? DEFAULTS.replicas,
          readyReplicas: cc.status?.readyReplicas ?? 0,
          contractId: id,
          waitingFor: waiting === undefined ? undefined : `${waiting.type}: ${waiting.reason}`,
          podsRunning: own.length,
          nodes: [...new Set(own.map((pod) => pod.spec?.nodeName ?? "?"))].sort(),
          placement: cc.status?.placement?.cluster,
          escrowSpent: onChain?.spent,
          escrowRemaining: onChain?.escrow,
        };
      }),
    );
    const podsOnNode = new Map<string, number>();
    for (const pod of running) {
      const node = pod.spec?.nodeName ?? "";
      podsOnNode.set(node, (podsOnNode.get(node) ?? 0) + 1);
    }
    return {
      podsOnNode,
      contracts: statuses.sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1)),
      podsRunning: running.length,
      pods: pods.items.length,
      settledPods: this.settled.size,
      contributors,
    };
  }
}

/** One line for the live progress. */
export function statusLine(status: DemoStatus): string {
  const ready = status.contracts.filter((c) => c.phase === "Running" && c.readyReplicas >= c.replicas);
  const waiting = status.contracts
    .filter((c) => !ready.includes(c))
    .map((c) => `${c.name} ${c.phase}${c.waitingFor === undefined ? "" : ` (${c.waitingFor})`}`);
  return (
    `contracts Running ${ready.length}/${status.contracts.length}, pods Running ${status.podsRunning}/${status.pods}, ` +
    `pods settled on chain ${status.settledPods}` +
    (waiting.length === 0 ? "" : `; waiting: ${waiting.join(", ")}`)
  );
}
