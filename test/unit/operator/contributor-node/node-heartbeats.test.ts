import { expect } from "chai";
import { Wallet } from "ethers";
import type { HeartbeatBatch } from "../../../../chain-sidecar/modules/poc/poc-messages.js";
import { MAX_HEARTBEATS_PER_BATCH } from "../../../../chain-sidecar/modules/poc/poc-messages.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { TxError } from "../../../../chain-sidecar/tx/tx-error.js";
import { TxSubmitter } from "../../../../operator/chain/tx-submitter.js";
import {
  NodeHeartbeats,
  RoundCadence,
  batchesOf,
  type HeartbeatListener,
} from "../../../../operator/contributor-node/node-heartbeats.js";
import type { KubeNode, OperatorContext } from "../../../../operator/operator-context.js";
import { Store } from "../../../../kube-runtime/store.js";
import { KWOK_NODE_ANNOTATION } from "../../../../operator/metering/pod-usage.js";
import { silentLogger } from "../../../../observability/logger.js";
import { FakeChain, type MessageRule } from "../chain/fake-chain.js";

const INTERVAL_MS = 10_000;
const WINDOW_BLOCKS = 30;

/** The poc module's heartbeat rule, in short: registered nodes only; one held offline comes back with an event. */
const heartbeatRule: MessageRule = (state, _sender, message, emit) => {
  (message as HeartbeatBatch).beats.forEach((beat, i) => {
    const key = `node/${beat.nodeId}`;
    const node = state.get(key) as { beats: number; online: boolean } | undefined;
    if (node === undefined)
      throw new TxError(ResultCode.NOT_FOUND, `HeartbeatBatch.beats[${i}].nodeId: no node ${beat.nodeId}`);
    if (!node.online) emit({ type: "node_online", attributes: [{ key: "node", value: beat.nodeId }] });
    state.set(key, { beats: node.beats + 1, online: true });
  });
};

class HeartbeatWorld {
  readonly chain = new FakeChain({ HeartbeatBatch: heartbeatRule });
  readonly nodes = new Store<KubeNode>();
  readonly changes: [cnKey: string, nodeId: string, outcome: string][] = [];
  leader = true;
  nowMs = 1_000_000;
  /** The chain's pace as the block watcher measures it; unknown until set. */
  blockMs: number | undefined = undefined;
  readonly heartbeats: NodeHeartbeats;

  constructor() {
    this.chain.autoCommit = true;
    const submitter = new TxSubmitter({ client: this.chain.client, watcher: this.chain.watcher });
    const operator = new Wallet(`0x${"0e".repeat(32)}`);
    const fake = {
      runtime: { logger: silentLogger(), isLeader: () => this.leader, client: {} },
      chain: {
        submitter,
        keys: { operatorWallet: () => Promise.resolve(operator) },
        watcher: { blockIntervalMs: () => this.blockMs },
      },
      params: { bank: { maxTxBytes: 65_536 }, poc: { heartbeatWindowBlocks: WINDOW_BLOCKS } },
      settings: { heartbeatIntervalMs: INTERVAL_MS },
      scale: { nodeResources: () => ({ cpuMillicores: 4_000n, memoryBytes: 8n << 30n, storageBytes: 0n }) },
      informers: { nodes: { store: this.nodes } },
      now: () => new Date(this.nowMs),
    };
    const listener: HeartbeatListener = {
      changed: (cnKey, nodeId, outcome) => {
        this.changes.push([cnKey, nodeId, "online" in outcome ? "online" : outcome.failure]);
        this.chain.notify();
      },
    };
    this.heartbeats = new NodeHeartbeats(fake as unknown as OperatorContext, listener);
  }

  /** A Ready kwok-like node, registered on chain (online or not) unless `registered` is false. */
  addNode(name: string, options: { registered?: boolean; online?: boolean } = {}): void {
    // A kwok node: no kubelet to read bandwidth from.
    const annotations = { [KWOK_NODE_ANNOTATION]: "fake" };
    this.nodes.upsert({ apiVersion: "v1", kind: "Node", metadata: { name, annotations }, status: {} });
    if (options.registered !== false)
      this.chain.seed(`node/${name}`, { beats: 0, online: options.online ?? true });
    this.heartbeats.track(name, `cn-${name}`);
  }

  beatsOf(name: string): number {
    return (this.chain.read(`node/${name}`) as { beats: number }).beats;
  }

  /** The node names of each HeartbeatBatch broadcast, in order, with its outcome. */
  batches(): [string[], string][] {
    return this.chain.broadcasts
      .filter((b) => b.type === "HeartbeatBatch")
      .map((b) => [(b.message as HeartbeatBatch).beats.map((beat) => beat.nodeId), b.outcome]);
  }
}

describe("operator: node heartbeats go to the chain in batches, one round per interval", () => {
  it("beats every tracked node in one HeartbeatBatch, and none again before most of an interval has passed", async () => {
    const world = new HeartbeatWorld();
    for (const name of ["n3", "n1", "n2"]) world.addNode(name);
    await world.heartbeats.round();
    expect(world.batches()).to.deep.equal([[["n1", "n2", "n3"], "admitted"]]);
    world.nowMs += INTERVAL_MS / 2;
    await world.heartbeats.round();
    expect(world.batches()).to.have.length(1);
    world.nowMs += INTERVAL_MS / 2;
    await world.heartbeats.round();
    expect(world.batches()).to.have.length(2);
    expect(["n1", "n2", "n3"].map((n) => world.beatsOf(n))).to.deep.equal([2, 2, 2]);
  });

  it("beats a node registered just after a round in the next regular one, so its beats stay an interval apart", async () => {
    const world = new HeartbeatWorld();
    world.addNode("n1");
    await world.heartbeats.round();
    world.nowMs += INTERVAL_MS / 2;
    world.addNode("n2");
    world.heartbeats.sent("n2");
    world.nowMs += INTERVAL_MS / 2;
    await world.heartbeats.round();
    expect(world.batches()).to.deep.equal([
      [["n1"], "admitted"],
      [["n1", "n2"], "admitted"],
    ]);
  });

  it("an urgent round between regular ones beats only the nodes that cannot wait", async () => {
    const world = new HeartbeatWorld();
    world.addNode("n1");
    world.addNode("n2");
    await world.heartbeats.round();
    world.nowMs += INTERVAL_MS / 3;
    world.addNode("n3", { online: false });
    world.heartbeats.track("n3", "cn-n3", true);
    await world.heartbeats.round();
    expect(world.batches()).to.deep.equal([
      [["n1", "n2"], "admitted"],
      [["n3"], "admitted"],
    ]);
  });

  it("starts regular rounds an interval apart however long a round waits for its block", () => {
    const cadence = new RoundCadence(INTERVAL_MS);
    cadence.startAt(0);
    expect(cadence.delay(0)).to.equal(INTERVAL_MS);
    cadence.begin(INTERVAL_MS);
    // The round took 4 s to be included: the next still starts 10 s after this one did, not 10 s after it ended.
    expect(cadence.delay(INTERVAL_MS + 4_000)).to.equal(INTERVAL_MS - 4_000);
    // An urgent round in between moves nothing.
    cadence.begin(INTERVAL_MS + 5_000);
    expect(cadence.delay(INTERVAL_MS + 5_000)).to.equal(INTERVAL_MS - 5_000);
    // A round that ran past the next one's time is followed at once; one a whole interval behind starts afresh.
    cadence.begin(2 * INTERVAL_MS + 3_000);
    expect(cadence.delay(2 * INTERVAL_MS + 3_000)).to.equal(INTERVAL_MS - 3_000);
    cadence.begin(10 * INTERVAL_MS);
    expect(cadence.delay(10 * INTERVAL_MS)).to.equal(INTERVAL_MS);
    // A shorter interval brings the next round forward; a longer one waits for the round already due.
    cadence.retime(INTERVAL_MS / 2, 10 * INTERVAL_MS + 1_000);
    expect(cadence.delay(10 * INTERVAL_MS + 1_000)).to.equal(INTERVAL_MS / 2);
    cadence.retime(INTERVAL_MS, 10 * INTERVAL_MS + 2_000);
    expect(cadence.delay(10 * INTERVAL_MS + 2_000)).to.equal(INTERVAL_MS / 2 - 1_000);
  });

  it("beats three times per chain window when the chain's blocks make the window shorter than three intervals", async () => {
    const world = new HeartbeatWorld();
    world.addNode("n1");
    await world.heartbeats.round();
    // 500 ms blocks: 30 blocks without a heartbeat are 15 s, one and a half configured intervals.
    world.blockMs = 500;
    world.nowMs += 5_000;
    await world.heartbeats.round();
    expect(world.batches()).to.have.length(2);
    world.nowMs += 2_500;
    await world.heartbeats.round();
    expect(world.batches()).to.have.length(2);
    world.nowMs += 2_500;
    await world.heartbeats.round();
    expect(world.batches()).to.have.length(3);
    // Back to 1 s blocks: the window holds three configured intervals again, and rounds are 10 s apart.
    world.blockMs = 1_000;
    world.nowMs += 5_000;
    await world.heartbeats.round();
    expect(world.batches()).to.have.length(4);
    world.nowMs += 5_000;
    await world.heartbeats.round();
    expect(world.batches()).to.have.length(4);
    world.nowMs += 5_000;
    await world.heartbeats.round();
    expect(world.batches()).to.have.length(5);
  });

  it("sends nothing while another replica leads, and stops beating an untracked node", async () => {
    const world = new HeartbeatWorld();
    world.addNode("n1");
    world.addNode("n2");
    world.leader = false;
    await world.heartbeats.round();
    expect(world.batches()).to.deep.equal([]);
    world.leader = true;
    world.heartbeats.untrack("n2");
    await world.heartbeats.round();
    expect(world.batches()).to.deep.equal([[["n1"], "admitted"]]);
  });

  it("falls back to one batch per node when the chain refuses a batch: the others are beaten, the refused one reported", async () => {
    const world = new HeartbeatWorld();
    world.addNode("n1");
    world.addNode("n-gone", { registered: false });
    world.addNode("n2");
    await world.heartbeats.round();
    expect(world.batches()).to.deep.equal([
      [["n-gone", "n1", "n2"], "refused"],
      [["n-gone"], "refused"],
      [["n1"], "admitted"],
      [["n2"], "admitted"],
    ]);
    expect([world.beatsOf("n1"), world.beatsOf("n2")]).to.deep.equal([1, 1]);
    expect(world.changes).to.have.length(1);
    expect(world.changes[0]!.slice(0, 2)).to.deep.equal(["cn-n-gone", "n-gone"]);
    expect(world.changes[0]![2]).to.contain("no node n-gone");
  });

  it("beats a node the chain holds offline at once, however recent its last heartbeat, and reports it online", async () => {
    const world = new HeartbeatWorld();
    world.addNode("n1", { online: false });
    world.heartbeats.sent("n1");
    world.heartbeats.start();
    try {
      world.heartbeats.track("n1", "cn-n1", true);
      await world.chain.until(() => world.changes.length > 0, "n1 reported online");
      expect(world.changes).to.deep.equal([["cn-n1", "n1", "online"]]);
      expect(world.beatsOf("n1")).to.equal(1);
    } finally {
      await world.heartbeats.stop();
    }
  });

  it("splits batches at the entry limit and at the chain's largest transaction", () => {
    const beat = (nodeId: string) => ({
      nodeId,
      cpuMillicores: 1n,
      memoryBytes: 1n,
      storageBytes: 0n,
      bandwidthMbps: 0n,
    });
    const many = Array.from({ length: 2 * MAX_HEARTBEATS_PER_BATCH + 7 }, (_, i) => beat(`node-${i}`));
    expect(batchesOf(many, 1 << 22).map((b) => b.length)).to.deep.equal([
      MAX_HEARTBEATS_PER_BATCH,
      MAX_HEARTBEATS_PER_BATCH,
      7,
    ]);
    const long = Array.from({ length: 40 }, (_, i) => beat(`${"x".repeat(200)}-${i}`));
    const split = batchesOf(long, 4_096);
    expect(split.length).to.be.greaterThan(1);
    expect(split.flat()).to.deep.equal(long);
    for (const batch of split)
      expect(1_024 + batch.reduce((n, b) => n + 48 + b.nodeId.length, 0)).to.be.at.most(4_096);
  });
});
