// Heartbeats of the Ready, registered nodes this operator runs: one round per interval, sent as HeartbeatBatch
// transactions (one per 500 nodes, not one per node), so the chain's and the reconcilers' load stays flat as a cluster
// grows. ContributorNode reconciles say which nodes to beat; a refused batch falls back to one heartbeat per node, so
// one node the chain refuses cannot keep the others offline.
import { ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import {
  HeartbeatBatchMsg,
  MAX_HEARTBEATS_PER_BATCH,
  type Heartbeat,
} from "../../chain-sidecar/modules/poc/poc-types.js";
import type { IncludedTx } from "../chain/block-watcher.js";
import { describeChainFailure } from "../chain/chain-failure.js";
import type { OperatorContext } from "../operator-context.js";
import type { Logger } from "../../observability/logger.js";
import { NodeNetwork } from "./node-network.js";
import { heartbeatIntervalFor } from "../chain/block-pace.js";

/** What a round tells the ContributorNode controller: nodes to show again, with what happened to them. */
export interface HeartbeatListener {
  /** The chain took the node back online, or refused its heartbeat (with why). */
  changed(cnKey: string, nodeId: string, outcome: { online: true } | { failure: string }): void;
}

/** Kubelet bandwidth reads in flight at once in a round. */
const BANDWIDTH_READS = 16;
/** Room in a transaction for its envelope, signature and one entry's fields besides its node name. */
const TX_OVERHEAD_BYTES = 1_024;
const ENTRY_BYTES = 48;

/** Heartbeats split into batches that fit both the entry limit and the chain's largest transaction. */
export function batchesOf(beats: readonly Heartbeat[], maxTxBytes: number): Heartbeat[][] {
  const batches: Heartbeat[][] = [];
  let batch: Heartbeat[] = [];
  let bytes = TX_OVERHEAD_BYTES;
  for (const beat of beats) {
    const size = ENTRY_BYTES + Buffer.byteLength(beat.nodeId);
    if (batch.length > 0 && (batch.length === MAX_HEARTBEATS_PER_BATCH || bytes + size > maxTxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = TX_OVERHEAD_BYTES;
    }
    batch.push(beat);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Fixed-rate rounds: a regular round starts an interval after the previous one started, however long that one waited
 * for its block, so the chain sees a node's heartbeats an interval apart and not an interval plus the inclusion time.
 */
export class RoundCadence {
  private nextAt = 0;

  constructor(private intervalMs: number) {}

  get interval(): number {
    return this.intervalMs;
  }

  /** The first regular round comes an interval from `now`. */
  startAt(now: number): void {
    this.nextAt = now + this.intervalMs;
  }

  /** A new interval from `now` on: a shorter one brings the next regular round forward. */
  retime(intervalMs: number, now: number): void {
    this.intervalMs = intervalMs;
    this.nextAt = Math.min(this.nextAt, now + intervalMs);
  }

  /** Called as a round starts; a round before the next regular one's time is an urgent one in between. */
  begin(now: number): void {
    if (now < this.nextAt) return;
    this.nextAt += this.intervalMs;
    // A whole interval behind (the process was paused, say): the cadence starts again from now.
    if (this.nextAt <= now) this.nextAt = now + this.intervalMs;
  }

  /** Milliseconds until the next regular round. */
  delay(now: number): number {
    return Math.max(0, this.nextAt - now);
  }

  /**
   * A node last beaten before this is beaten in the round starting now: left for the next regular round, its beats
   * would be more than an interval (and a tenth, for timer slack) apart.
   */
  staleBefore(): number {
    return this.nextAt - this.intervalMs * 1.1;
  }
}

export class NodeHeartbeats {
  /** When each node last sent a heartbeat that was committed (ms since epoch). */
  private readonly last = new Map<string, number>();
  /** The nodes to beat, with their ContributorNode's key. */
  private readonly tracked = new Map<string, string>();
  /** Tracked nodes the chain holds offline: beaten in the next round whenever they last beat. */
  private readonly urgent = new Set<string>();
  private readonly network: NodeNetwork;
  private readonly cadence: RoundCadence;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly ctx: OperatorContext,
    private readonly listener: HeartbeatListener,
  ) {
    this.network = new NodeNetwork(ctx.runtime.client);
    this.cadence = new RoundCadence(ctx.settings.heartbeatIntervalMs);
    this.log = ctx.runtime.logger.child({ component: "heartbeats" });
  }

  /** A registration counts as a heartbeat. */
  sent(nodeId: string): void {
    this.last.set(nodeId, this.ctx.now().getTime());
  }

  /**
   * Beats the node from the next round on (it is Ready and registered). `urgent` (the chain took it offline) beats it
   * in a round now, however recent its last heartbeat.
   */
  track(nodeId: string, cnKey: string, urgent = false): void {
    this.tracked.set(nodeId, cnKey);
    if (!urgent) return;
    this.urgent.add(nodeId);
    this.schedule(0);
  }

  untrack(nodeId: string): void {
    this.tracked.delete(nodeId);
    this.urgent.delete(nodeId);
  }

  /** Stops beating for a ContributorNode that is gone. */
  untrackContributorNode(cnKey: string): void {
    for (const [nodeId, key] of this.tracked) if (key === cnKey) this.untrack(nodeId);
  }

  forget(nodeId: string): void {
    this.untrack(nodeId);
    this.last.delete(nodeId);
    this.network.forget(nodeId);
  }

  start(): void {
    this.stopped = false;
    const now = this.ctx.now().getTime();
    this.cadence.startAt(now);
    this.schedule(this.cadence.delay(now));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.running !== undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.round()
        .catch((error: unknown) => this.log.warn({ err: error }, "heartbeat round failed"))
        .finally(() => {
          this.running = undefined;
          // A node found offline while this round ran is beaten now, not an interval later.
          this.schedule(this.urgent.size > 0 ? 0 : this.cadence.delay(this.ctx.now().getTime()));
        });
    }, delayMs);
  }

  /** One round: the urgent nodes and every tracked node that cannot wait for the next regular one; only while leading. */
  async round(): Promise<void> {
    const now = this.ctx.now().getTime();
    this.keepPace(now);
    this.cadence.begin(now);
    if (!this.ctx.runtime.isLeader()) {
      // The leader beats; urgency kept here would only spin this replica's timer.
      this.urgent.clear();
      return;
    }
    const stale = this.cadence.staleBefore();
    const due = [...this.tracked.keys()]
      .filter((nodeId) => this.urgent.has(nodeId) || (this.last.get(nodeId) ?? 0) < stale)
      .sort();
    this.urgent.clear();
    const nodes = due.flatMap((nodeId) => {
      const node = this.ctx.informers.nodes.store.get(nodeId);
      return node === undefined ? [] : [node];
    });
    // A real node's bandwidth is read from its kubelet: a few at a time, so a slow kubelet delays only its share.
    const beats = new Array<Heartbeat>(nodes.length);
    let next = 0;
    const reader = async (): Promise<void> => {
      for (let i = next++; i < nodes.length; i = next++) {
        const node = nodes[i]!;
        const resources = this.ctx.scale.nodeResources(node.status?.allocatable);
        beats[i] = {
          nodeId: node.metadata.name!,
          cpuMillicores: resources.cpuMillicores,
          memoryBytes: resources.memoryBytes,
          storageBytes: resources.storageBytes,
          bandwidthMbps: await this.network.peakMbps(node),
        };
      }
    };
    await Promise.all(Array.from({ length: BANDWIDTH_READS }, reader));
    await Promise.all(
      batchesOf(beats, this.ctx.params.bank.maxTxBytes).map((batch) => this.sendBatch(batch, now)),
    );
  }

  /** Retimes the rounds to the chain's heartbeat window at its current block pace, saying so when that changes. */
  private keepPace(now: number): void {
    const windowBlocks = this.ctx.params.poc.heartbeatWindowBlocks;
    const blockMs = this.ctx.chain.watcher.blockIntervalMs();
    const configured = this.ctx.settings.heartbeatIntervalMs;
    const interval = heartbeatIntervalFor(configured, windowBlocks, blockMs);
    if (interval === this.cadence.interval) return;
    this.cadence.retime(interval, now);
    const windowMs = blockMs === undefined ? undefined : Math.round(windowBlocks * blockMs);
    if (interval === configured)
      this.log.info({ intervalMs: interval, windowMs }, "heartbeats back at their configured interval");
    else
      this.log.warn(
        { intervalMs: interval, configuredMs: configured, windowBlocks, windowMs },
        "the chain takes a node offline sooner than three configured intervals: heartbeats run more often",
      );
  }

  private async sendBatch(beats: Heartbeat[], now: number): Promise<void> {
    const { submitter, keys } = this.ctx.chain;
    const wallet = await keys.operatorWallet();
    let included: IncludedTx;
    try {
      included = await submitter.submit(wallet, HeartbeatBatchMsg, { beats });
    } catch (error) {
      if (!(error instanceof ChainTxError) || beats.length === 1) {
        for (const beat of beats) this.failed(beat.nodeId, error);
        return;
      }
      this.log.info(
        { nodes: beats.length, reason: error.log },
        "heartbeat batch refused; sending one per node",
      );
      await Promise.all(beats.map((beat) => this.sendBatch([beat], now)));
      return;
    }
    for (const beat of beats) this.last.set(beat.nodeId, now);
    for (const event of included.events) {
      if (event.type !== "node_online") continue;
      const nodeId = event.attributes.find((a) => a.key === "node")?.value;
      const cnKey = nodeId === undefined ? undefined : this.tracked.get(nodeId);
      if (cnKey !== undefined) this.listener.changed(cnKey, nodeId!, { online: true });
    }
  }

  private failed(nodeId: string, error: unknown): void {
    const failure = describeChainFailure(error);
    this.log.warn({ node: nodeId, reason: failure.reason, message: failure.message }, "heartbeat failed");
    const cnKey = this.tracked.get(nodeId);
    if (cnKey !== undefined) this.listener.changed(cnKey, nodeId, { failure: failure.message });
  }
}
