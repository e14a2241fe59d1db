// What the extender knows of the cluster, fed by informers: contributor nodes by Node name, and where Uranus pods run.
import type { ContributorNode } from "../crds/types.js";
import type { PlacementCandidate } from "../chain-sidecar/modules/poc/poc-types.js";
import { contributorView, type ContributorView } from "./contributor-view.js";
import type { ScuCalculator } from "../units/pod-scu.js";
import { contractKeyOf, type PodLike } from "./pod-terms.js";

/** A contributor node as a placement candidate, carrying its view so scoring needs no second lookup. */
export interface ContributorCandidate extends PlacementCandidate {
  /** Replaced in place when facts other than the PoC change, so the PoC order stays valid. */
  view: ContributorView;
  /** Position in the PoC order of every contributor node (PoC descending, then name). */
  pocRank: number;
  /** pocRank of the first node with the same PoC: equal PoC never splits across a tier boundary. */
  pocTieRank: number;
  /** The request that last selected this candidate (see candidatesByPoc). */
  selection: number;
  /** `{"Host":"<name>","Score":` — escaped once here because prioritize writes it for every request. */
  readonly hostJson: string;
}

/** Everything the extender knows about one Node, found with a single lookup per candidate. */
export interface NodeRecord {
  view: ContributorView | undefined;
  candidate: ContributorCandidate | undefined;
  /** SCU of the Uranus pods seen bound to the node. */
  seenScu: number;
}

interface PlacedPod {
  readonly contractKey: string;
  readonly nodeName: string;
  readonly scu: number;
}

/** Told when a pod is seen bound to a node or gone, so waits on in-flight placements can end. */
export type PodSettledListener = (podUid: string) => void;

const TERMINAL_PHASES = new Set(["Succeeded", "Failed"]);

export class ClusterState {
  private readonly nodes = new Map<string, NodeRecord>();
  private contributors = 0;
  /** ContributorNode name → the Node name it was filed under. */
  private readonly nodeOfContributor = new Map<string, string>();
  private readonly placedPods = new Map<string, PlacedPod>();
  private readonly podsByContract = new Map<string, Set<string>>();
  /** Every contributor node by PoC descending, then name; rebuilt lazily after a change of PoC or membership. */
  private pocOrder: ContributorCandidate[] | undefined;
  private selectionMark = 0;
  private epoch = 0;
  private readonly settledListeners: PodSettledListener[] = [];

  constructor(private readonly scu: ScuCalculator) {}

  onPodSettled(listener: PodSettledListener): void {
    this.settledListeners.push(listener);
  }

  upsertContributor(node: ContributorNode): void {
    const view = contributorView(node);
    const previousNode = this.nodeOfContributor.get(view.name);
    if (previousNode !== undefined && previousNode !== view.nodeName)
      this.clearContributor(previousNode, view.name);
    const record = this.record(view.nodeName);
    if (record.view === undefined) this.contributors++;
    record.view = view;
    this.nodeOfContributor.set(view.name, view.nodeName);
    // Status updates (allocated SCU, conditions) are frequent; only a new PoC or a new node moves the order.
    if (record.candidate !== undefined && record.candidate.poc === view.poc) {
      record.candidate.view = view;
      return;
    }
    record.candidate = {
      name: view.nodeName,
      poc: view.poc,
      view,
      pocRank: -1,
      pocTieRank: -1,
      selection: 0,
      hostJson: `{"Host":${JSON.stringify(view.nodeName)},"Score":`,
    };
    this.invalidateOrder();
  }

  removeContributor(node: ContributorNode): void {
    const name = node.metadata.name ?? "";
    const nodeName = this.nodeOfContributor.get(name);
    if (nodeName === undefined) return;
    this.nodeOfContributor.delete(name);
    this.clearContributor(nodeName, name);
    this.invalidateOrder();
  }

  private clearContributor(nodeName: string, contributorName: string): void {
    const record = this.nodes.get(nodeName);
    if (record?.view?.name !== contributorName) return;
    record.view = undefined;
    record.candidate = undefined;
    this.contributors--;
    this.invalidateOrder();
    if (record.seenScu === 0) this.nodes.delete(nodeName);
  }

  private record(nodeName: string): NodeRecord {
    let record = this.nodes.get(nodeName);
    if (record === undefined) {
      record = { view: undefined, candidate: undefined, seenScu: 0 };
      this.nodes.set(nodeName, record);
    }
    return record;
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
    this.record(nodeName).seenScu += size;
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
    return this.nodes.get(nodeName)?.view;
  }

  /** The node's record, undefined for a node the extender knows nothing about. */
  node(nodeName: string): Readonly<NodeRecord> | undefined {
    return this.nodes.get(nodeName);
  }

  get contributorCount(): number {
    return this.contributors;
  }

  get placedPodCount(): number {
    return this.placedPods.size;
  }

  /** SCU in use on the node: the operator's allocatedSCU or the pods seen bound there, whichever is larger. */
  usedScu(nodeName: string): number {
    return usedScuOf(this.nodes.get(nodeName));
  }

  /** How many running replicas of the contract each contributor (owner address) holds. */
  replicasByContributor(contractKey: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const uid of this.podsByContract.get(contractKey) ?? []) {
      const owner = this.nodes.get(this.placedPods.get(uid)!.nodeName)?.view?.owner;
      if (owner !== undefined) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    return counts;
  }

  /** The contributor nodes among `nodeNames` in PoC order, each once, and the names of nodes that have none. */
  candidatesByPoc(nodeNames: readonly string[]): { candidates: ContributorCandidate[]; unknown: string[] } {
    const found: ContributorCandidate[] = [];
    let unknown: Set<string> | undefined;
    for (const name of nodeNames) {
      const candidate = this.nodes.get(name)?.candidate;
      if (candidate === undefined) (unknown ??= new Set()).add(name);
      else found.push(candidate);
    }
    return { candidates: this.inPocOrder(found), unknown: unknown === undefined ? [] : [...unknown] };
  }

  /** Changes whenever a candidate is replaced or removed, or the PoC order moves: candidates held since are stale. */
  get candidateEpoch(): number {
    return this.epoch;
  }

  /** Candidates obtained at this candidateEpoch, each once, in PoC order. */
  inPocOrder(candidates: readonly ContributorCandidate[]): ContributorCandidate[] {
    const order = this.orderByPoc();
    // Mark instead of building a Set, and sort the PoC ranks rather than scan every contributor node: the cost
    // follows the request's size, not the cluster's.
    const mark = ++this.selectionMark;
    const ranks = new Int32Array(candidates.length);
    let found = 0;
    for (const candidate of candidates) {
      if (candidate.selection === mark) continue;
      candidate.selection = mark;
      ranks[found++] = candidate.pocRank;
    }
    const sorted = ranks.subarray(0, found).sort();
    const result = new Array<ContributorCandidate>(found);
    for (let i = 0; i < found; i++) result[i] = order[sorted[i]!]!;
    return result;
  }

  private invalidateOrder(): void {
    this.pocOrder = undefined;
    this.epoch++;
  }

  private orderByPoc(): ContributorCandidate[] {
    if (this.pocOrder !== undefined) return this.pocOrder;
    const order = [...this.nodes.values()]
      .flatMap((record) => (record.candidate === undefined ? [] : [record.candidate]))
      .sort((a, b) =>
        a.poc !== b.poc ? (a.poc > b.poc ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
    order.forEach((candidate, rank) => {
      candidate.pocRank = rank;
      const previous = order[rank - 1];
      candidate.pocTieRank =
        previous !== undefined && previous.poc === candidate.poc ? previous.pocTieRank : rank;
    });
    this.pocOrder = order;
    return order;
  }

  private forgetPod(uid: string): void {
    const placed = this.placedPods.get(uid);
    if (placed === undefined) return;
    this.placedPods.delete(uid);
    const record = this.nodes.get(placed.nodeName);
    if (record !== undefined) {
      record.seenScu = Math.max(0, record.seenScu - placed.scu);
      if (record.seenScu === 0 && record.view === undefined) this.nodes.delete(placed.nodeName);
    }
    const uids = this.podsByContract.get(placed.contractKey);
    uids?.delete(uid);
    if (uids?.size === 0) this.podsByContract.delete(placed.contractKey);
  }

  private notifySettled(uid: string): void {
    for (const listener of this.settledListeners) listener(uid);
  }
}

/** SCU in use on a node: the operator's allocatedSCU or the pods seen bound there, whichever is larger. */
export function usedScuOf(record: Readonly<NodeRecord> | undefined): number {
  if (record === undefined) return 0;
  return Math.max(record.seenScu, record.view?.allocatedSCU ?? 0);
}
