// Where a federation demo stands: the home cluster's contracts (a remote one mirrored from the chain, with
// status.placement.cluster naming the member that runs it) joined with the copies the members run, whose pods
// are theirs; every cluster's pods and settlements counted.
import type { ChainClient } from "../../chain-sidecar/client/chain-client.js";
import type { KubeClient } from "../../kube-runtime/kube-client.js";
import { copyName, homeNamespace } from "../../operator/federation/order-workload.js";
import { allRunningAndSettled, DemoStatusReader, statusLine, type DemoStatus } from "./demo-status.js";

export interface ClusterAccess {
  clusterId: string;
  kube: KubeClient;
  chain: ChainClient;
}

/** Where one contract runs: applied in `home`, run in `cluster` (undefined while no member holds it). */
export interface ContractPlacement {
  contract: string;
  contractId?: string;
  home: string;
  cluster?: string;
  phase: string;
  readyReplicas: number;
  replicas: number;
}

export class FederatedStatusReader {
  private readonly readers: DemoStatusReader[];
  /** The namespace of the copies of the home cluster's orders, in whichever cluster runs them. */
  private readonly copies: string;

  /** `clusters[0]` is the home cluster, where `contracts` ("namespace/name") are applied. */
  constructor(
    private readonly clusters: ClusterAccess[],
    contracts: ReadonlySet<string>,
  ) {
    // Every cluster may run copies (placement Any may pick the home cluster itself).
    this.copies = homeNamespace(clusters[0]!.clusterId);
    this.readers = clusters.map(
      (cluster, i) =>
        new DemoStatusReader(cluster.kube, cluster.chain, {
          has: (key) => key.startsWith(`${this.copies}/`) || (i === 0 && contracts.has(key)),
        }),
    );
  }

  get home(): string {
    return this.clusters[0]!.clusterId;
  }

  /** The home cluster's contracts, a remote one with its copy's pods and nodes; pods and settlements of all. */
  async read(): Promise<DemoStatus> {
    const statuses = await Promise.all(this.readers.map((reader) => reader.read()));
    const home = statuses[0]!;
    const ids = this.clusters.map((cluster) => cluster.clusterId);
    const own = home.contracts.filter((c) => c.namespace !== this.copies);
    const contracts = own.map((contract) => {
      if (contract.placement === undefined || contract.contractId === undefined) return contract;
      const copy = statuses[ids.indexOf(contract.placement)]?.contracts.find(
        (c) => c.name === copyName(contract.contractId!),
      );
      return copy === undefined
        ? contract
        : { ...contract, podsRunning: copy.podsRunning, nodes: copy.nodes };
    });
    const podsOnNode = new Map<string, number>();
    for (const status of statuses)
      for (const [node, pods] of status.podsOnNode) podsOnNode.set(node, (podsOnNode.get(node) ?? 0) + pods);
    const sum = (count: (status: DemoStatus) => number): number =>
      statuses.reduce((total, status) => total + count(status), 0);
    return {
      contracts,
      podsRunning: sum((s) => s.podsRunning),
      pods: sum((s) => s.pods),
      settledPods: sum((s) => s.settledPods),
      podsOnNode,
      contributors: home.contributors,
    };
  }

  placements(status: DemoStatus, remote: ReadonlySet<string>): ContractPlacement[] {
    return status.contracts.map((c) => {
      const key = `${c.namespace}/${c.name}`;
      return {
        contract: key,
        contractId: c.contractId,
        home: this.home,
        cluster: remote.has(key) ? c.placement : this.home,
        phase: c.phase,
        readyReplicas: c.readyReplicas,
        replicas: c.replicas,
      };
    });
  }
}

/** Done: every contract Running with its replicas, each remote one in a member cluster, a settlement on chain. */
export function federationDone(status: DemoStatus, remote: ReadonlySet<string>): boolean {
  return (
    allRunningAndSettled(status) &&
    status.contracts
      .filter((c) => remote.has(`${c.namespace}/${c.name}`))
      .every((c) => c.placement !== undefined)
  );
}

/** The live status line, and where each remote contract is. */
export function federationLine(status: DemoStatus, remote: ReadonlySet<string>): string {
  const where = status.contracts
    .filter((c) => remote.has(`${c.namespace}/${c.name}`))
    .map(
      (c) => `${c.name} ${c.placement === undefined ? "waits for a member cluster" : `in ${c.placement}`}`,
    );
  return statusLine(status) + (where.length === 0 ? "" : `; ${where.join(", ")}`);
}
