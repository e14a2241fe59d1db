// What the extender knows of the cluster, fed by informers: contributor nodes by Node name, and where Uranus pods run.
import type { ContributorNode } from "../crds/types.js";
import type { PlacementCandidate } from "../chain-sidecar/modules/poc/placement.js";
import { contributorView, type ContributorView } from "./contributor-view.js";
import type { ScuCalculator } from "./pod-scu.js";
import { contractKeyOf, type PodLike } from "./pod-terms.js";

interface PlacedPod {
  readonly contractKey: string;
  readonly nodeName: string;
  readonly scu: number;
}

/** Told when a pod is seen bound to a node or gone, so waits on in-flight placements can end. */
export type PodSettledListener = (podUid: string) => void;

const TERMINAL_PHASES = new Set(["Succeeded", "Failed"]);

export class ClusterState {
  private readonly contributorsByNode = new Map<string, ContributorView>();
  /** ContributorNode name → the Node name it was filed under. */
  private readonly nodeOfContributor = new Map<string, string>();
  private readonly placedPods = new Map<string, PlacedPod>();
  private readonly usedScuByNode = new Map<string, number>();
  private readonly podsByContract = new Map<string, Set<string>>();
  /** Every contributor node by PoC descending, then name; rebuilt lazily after a change. */
  private pocOrder: PlacementCandidate[] | undefined;
  private readonly settledListeners: PodSettledListener[] = [];

  constructor(private readonly scu: ScuCalculator) {}

  onPodSettled(listener: PodSettledListener): void {
    this.settledListeners.push(listener);
  }

  upsertContributor(node: ContributorNode): void {
    const view = contributorView(node);
    const previousNode = this.nodeOfContributor.get(view.name);
    if (previousNode !== undefined) this.contributorsByNode.delete(previousNode);
    this.contributorsByNode.set(view.nodeName, view);
    this.nodeOfContributor.set(view.name, view.nodeName);
    this.pocOrder = undefined;
  }

  removeContributor(node: ContributorNode): void {
    const name = node.metadata.name ?? "";
    const nodeName = this.nodeOfContributor.get(name);
    if (nodeName === undefined) return;
    this.nodeOfContributor.delete(name);
    if (this.contributorsByNode.get(nodeName)?.name === name) this.contributorsByNode.delete(nodeName);
    this.pocOrder = undefined;
  }

  upsertPod(pod: PodLike): void {
    const uid = pod.metadata?.uid;
    if (uid === undefined) return;
    const contractKey = contractKeyOf(pod);
    const nodeName = pod.spec?.nodeName;
    const terminal = TERMINAL_PHASES.has(pod.status?.phase ?? "");
    this.forgetPod(uid);
    if (contractKey === undefined || nodeName === undefined || nodeName === "" || terminal) {
      if (terminal) this.notifySettled(uid);
      return;
    }
    let size: number;
    try {
      size = this.scu.podScu(pod.spec ?? {});
    } catch {
      size = 1; // A pod with an unreadable request still takes a slot; the filter reports it when it is scheduled.
    }
    this.placedPods.set(uid, { contractKey, nodeName, scu: size });
    this.usedScuByNode.set(nodeName, (this.usedScuByNode.get(nodeName) ?? 0) + size);
    let uids = this.podsByContract.get(contractKey);
    if (uids === undefined) {
      uids = new Set();
      this.podsByContract.set(contractKey, uids);
    }
    uids.add(uid);
    this.notifySettled(uid);
  }

  removePod(pod: PodLike): void {
    const uid = pod.metadata?.uid;
    if (uid === undefined) return;
    this.forgetPod(uid);
    this.notifySettled(uid);
  }

  contributorOnNode(nodeName: string): ContributorView | undefined {
    return this.contributorsByNode.get(nodeName);
  }

  get contributorCount(): number {
    return this.contributorsByNode.size;
  }

  get placedPodCount(): number {
    return this.placedPods.size;
  }

  /** SCU in use on the node: the operator's allocatedSCU or the pods seen bound there, whichever is larger. */
  usedScu(nodeName: string): number {
    const seen = this.usedScuByNode.get(nodeName) ?? 0;
    const reported = this.contributorsByNode.get(nodeName)?.allocatedSCU ?? 0;
    return Math.max(seen, reported);
  }

  /** How many running replicas of the contract each contributor (owner address) holds. */
  replicasByContributor(contractKey: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const uid of this.podsByContract.get(contractKey) ?? []) {
      const owner = this.contributorsByNode.get(this.placedPods.get(uid)!.nodeName)?.owner;
      if (owner !== undefined) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    return counts;
  }

  /** The contributor nodes among `nodeNames`, already in PoC order (so the placement sort has nothing to move). */
  candidatesByPoc(nodeNames: ReadonlySet<string>): PlacementCandidate[] {
    this.pocOrder ??= [...this.contributorsByNode.values()]
      .map((view) => ({ name: view.nodeName, poc: view.poc }))
      .sort((a, b) =>
        a.poc !== b.poc ? (a.poc > b.poc ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
    return this.pocOrder.filter((candidate) => nodeNames.has(candidate.name));
  }

  private forgetPod(uid: string): void {
    const placed = this.placedPods.get(uid);
    if (placed === undefined) return;
    this.placedPods.delete(uid);
    const used = (this.usedScuByNode.get(placed.nodeName) ?? 0) - placed.scu;
    if (used > 0) this.usedScuByNode.set(placed.nodeName, used);
    else this.usedScuByNode.delete(placed.nodeName);
    const uids = this.podsByContract.get(placed.contractKey);
    uids?.delete(uid);
    if (uids?.size === 0) this.podsByContract.delete(placed.contractKey);
  }

  private notifySettled(uid: string): void {
    for (const listener of this.settledListeners) listener(uid);
  }
}
