import { expect } from "chai";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { CONTRACT_ID, MeteringWorld, NAMESPACE, settlementKey } from "./metering-world.js";

const X = `0x${"aa".repeat(20)}`;
const Y = `0x${"bb".repeat(20)}`;
const OTHER_CONTRACT = "fedcba9876543210fedc";

async function counter(world: MeteringWorld, result: string): Promise<number> {
  const metric = await world.metrics.batches.get();
  return metric.values.find((v) => v.labels.result === result)?.value ?? 0;
}

/** Pods of contributor X on node n1, leased from 9,000. */
function podsOnOneNode(world: MeteringWorld, names: string[]): void {
  world.addNode("n1");
  for (const name of names) world.addPod({ name, contributor: X, node: "n1", leaseStart: 9_000 });
}

/** Pods a and b after a first round whose batch the chain holds in its mempool: its outcome is unknown. */
async function firstBatchHeld() {
  const world = new MeteringWorld(100);
  podsOnOneNode(world, ["a", "b"]);
  world.chain.disrupt((tx) => tx.type === "MeteringBatch", { kind: "hold" });
  const loop = world.loop();
  await loop.round();
  return { world, loop };
}

/** The records of the batches sent, from the `first`-th on. */
function recordsFrom(world: MeteringWorld, first: number) {
  return world
    .batches()
    .slice(first)
    .map((b) => b.records);
}

type BillingRecord = [podUid: string, from: number, to: number, scu: number];

/** A batch the chain admitted for `contributor`, with these records. */
function admitted(contributor: string, ...records: BillingRecord[]) {
  return { contributor, outcome: "admitted", code: 0, records };
}

describe("metering loop", () => {
  it("sends one batch per contributor, each record from where the chain says billing stands to now, the failure moment, the lease end or the contract end", async () => {
    const world = new MeteringWorld();
    world.contracts.set(OTHER_CONTRACT, { id: OTHER_CONTRACT, state: "open", endsAt: 9_800 });
    world.addNode("n1");
    world.addNode("n2", 9_700);
    world.addNode("n3");
    world.addPod({ name: "p1", contributor: X, node: "n1", leaseStart: 9_000 });
    world.chain.seed(settlementKey("uid-p1"), { billedTo: 9_400, charged: 400n, seconds: 400 });
    world.addPod({ name: "p2", contributor: X, node: "n2", leaseStart: 9_000 });
    world.addPod({
      name: "p3",
      contributor: X,
      node: "n1",
      leaseStart: 9_100,
      retiredAt: 9_500,
      leaseEndedAt: 9_500,
    });
    world.addPod({ name: "p4", contributor: Y, node: "n3", leaseStart: 9_200, scu: 2 });
    // Retired, but EndLease has not fixed its last second yet: not billed until it has.
    world.addPod({ name: "p5", contributor: Y, node: "n3", leaseStart: 9_200, retiredAt: 9_900 });
    world.addPod({ name: "p6", contributor: Y, node: "n3", leaseStart: 9_200, contractId: OTHER_CONTRACT });

    const loop = world.loop();
    await loop.round();
    expect(world.batches()).to.deep.equal([
      admitted(X, ["uid-p1", 9_400, 10_000, 1], ["uid-p2", 9_000, 9_700, 1], ["uid-p3", 9_100, 9_500, 1]),
      admitted(Y, ["uid-p4", 9_200, 10_000, 2], ["uid-p6", 9_200, 9_800, 1]),
    ]);
    expect(world.committedBatches().map((tx) => tx.code)).to.deep.equal([0, 0]);
    expect(Object.fromEntries(world.metered)).to.deep.equal({
      p1: 600,
      p2: 700,
      p3: 400,
      p4: 1_600,
      p6: 600,
    });
    expect(world.settled.flatMap((s) => s.contracts)).to.deep.equal([`${NAMESPACE}/job`, `${NAMESPACE}/job`]);

    // The next round starts each record where the last one ended; pods with nothing new to bill are left out.
    world.now = 10_060;
    await loop.round();
    expect(world.batches().slice(2)).to.deep.equal([
      admitted(X, ["uid-p1", 10_000, 10_060, 1]),
      admitted(Y, ["uid-p4", 10_000, 10_060, 2]),
    ]);

    // A restarted operator knows nothing but what the chain says, and starts there.
    world.now = 10_090;
    await world.loop().round();
    expect(world.batches().slice(4)).to.deep.equal([
      admitted(X, ["uid-p1", 10_060, 10_090, 1]),
      admitted(Y, ["uid-p4", 10_060, 10_090, 2]),
    ]);
  });

  it("bills only retired pods in a final-bill round", async () => {
    const world = new MeteringWorld();
    world.addNode("n1");
    world.addPod({ name: "running", contributor: X, node: "n1", leaseStart: 9_000 });
    world.addPod({
      name: "done",
      contributor: X,
      node: "n1",
      leaseStart: 9_000,
      retiredAt: 9_300,
      leaseEndedAt: 9_300,
    });
    await world.loop().round(true);
    expect(world.batches().map((b) => b.records)).to.deep.equal([[["uid-done", 9_000, 9_300, 1]]]);
  });

  it("drops only the pod whose record the chain refuses, bills the others at once, and reports what they were charged", async () => {
    const world = new MeteringWorld();
    podsOnOneNode(world, ["a", "b", "c"]);
    const loop = world.loop();
    await loop.round();
    // Another process billed b further meanwhile; this loop still has b at 10,000.
    world.chain.seed(settlementKey("uid-b"), { billedTo: 10_030, charged: 1_030n, seconds: 1_030 });
    world.now = 10_060;
    await loop.round();
    const [refused, retried] = world.batches().slice(1);
    expect(refused).to.include({ outcome: "refused", code: ResultCode.DOUBLE_BILLED });
    expect(retried).to.deep.equal(admitted(X, ["uid-a", 10_000, 10_060, 1], ["uid-c", 10_000, 10_060, 1]));
    expect(world.events.map((e) => [e.type, e.reason])).to.deep.equal([["Warning", "MeteringRefused"]]);
    expect(world.events[0]!.note).to.match(/pod b: DOUBLE_BILLED/);
    expect(world.book.lastOf(CONTRACT_ID)).to.include({
      amount: "120",
      txHash: world.committedBatches()[1]!.hash,
    });
    expect(world.metered.get("a")).to.equal(1_060);
    expect(await counter(world, "rejected")).to.equal(1);

    // b is read from chain again next round.
    world.now = 10_120;
    await loop.round();
    expect(recordsFrom(world, 3)).to.deep.equal([
      [
        ["uid-a", 10_060, 10_120, 1],
        ["uid-b", 10_030, 10_120, 1],
        ["uid-c", 10_060, 10_120, 1],
      ],
    ]);
  });

  it("forgets the billing of a batch whose outcome is unknown, so the next round starts where the chain says", async () => {
    const { world, loop } = await firstBatchHeld();
    expect(await counter(world, "unknown")).to.equal(1);
    // It lands after all.
    world.chain.release();
    world.chain.commit();
    expect(world.settlement("uid-a")).to.include({ billedTo: 10_000 });
    world.now = 10_060;
    await loop.round();
    expect(world.batches().slice(1)).to.deep.equal([
      admitted(X, ["uid-a", 10_000, 10_060, 1], ["uid-b", 10_000, 10_060, 1]),
    ]);
  });

  it("never bills a second twice when a batch of unknown outcome lands after the next round was sent", async () => {
    const { world, loop } = await firstBatchHeld();
    // Still pending in the mempool: the chain says nothing is billed, so the next round bills from the lease start,
    // and CheckTx (which counts the pending batch) refuses it pod by pod.
    world.now = 10_060;
    await loop.round();
    expect(
      world
        .batches()
        .slice(1)
        .map((b) => [b.outcome, b.code, b.records.map((r) => r[0])]),
    ).to.deep.equal([
      ["refused", ResultCode.DOUBLE_BILLED, ["uid-a", "uid-b"]],
      ["refused", ResultCode.DOUBLE_BILLED, ["uid-b"]],
    ]);
    world.chain.release();
    world.chain.commit();
    world.now = 10_120;
    await loop.round();
    expect(recordsFrom(world, 3)).to.deep.equal([
      [
        ["uid-a", 10_000, 10_120, 1],
        ["uid-b", 10_000, 10_120, 1],
      ],
    ]);
    for (const pod of ["uid-a", "uid-b"])
      expect(world.settlement(pod), pod).to.deep.equal({ billedTo: 10_120, charged: 1_120n, seconds: 1_120 });
  });

  it("sends nothing while this replica does not lead", async () => {
    const world = new MeteringWorld();
    world.addNode("n1");
    world.addPod({ name: "a", contributor: X, node: "n1", leaseStart: 9_000 });
    world.leader = false;
    const loop = world.loop();
    await loop.round();
    expect(world.chain.log).to.deep.equal([]);
    world.leader = true;
    await loop.round();
    expect(world.batches().map((b) => b.records)).to.deep.equal([[["uid-a", 9_000, 10_000, 1]]]);
  });
});
