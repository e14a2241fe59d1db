import { expect } from "chai";
import { MeteringWorld } from "./metering-world.js";

const X = `0x${"aa".repeat(20)}`;

describe("metering loop: measured usage in the records", () => {
  it("samples each round and carries the mean of the interval's samples; a pod without any carries none", async () => {
    const world = new MeteringWorld();
    world.addNode("n1");
    world.addPod({ name: "a", contributor: X, node: "n1", leaseStart: 9_000 });
    world.addPod({ name: "b", contributor: X, node: "n1", leaseStart: 9_000 });
    world.usage.set("uid-a", { cpuMillicores: 100n, memoryBytes: 1_000n });
    const loop = world.loop();
    await loop.round();
    world.now = 10_060;
    world.usage.set("uid-a", { cpuMillicores: 301n, memoryBytes: 3_001n });
    await loop.round();
    expect(world.usageReads).to.deep.equal([["n1"], ["n1"]]);
    expect(world.usageRecords()).to.deep.equal([
      ["uid-a", 9_000, 10_000, 100, 1_000],
      ["uid-b", 9_000, 10_000, 0, 0],
      // The sample at 10 000 ended the first record and begins this one: the mean of both ends.
      ["uid-a", 10_000, 10_060, 201, 2_001],
      ["uid-b", 10_000, 10_060, 0, 0],
    ]);
  });

  it("meters on, unmeasured, when usage cannot be read at all", async () => {
    const world = new MeteringWorld();
    world.addNode("n1");
    world.addPod({ name: "a", contributor: X, node: "n1", leaseStart: 9_000 });
    world.usage.set("uid-a", { cpuMillicores: 100n, memoryBytes: 1_000n });
    world.usageFails = true;
    await world.loop().round();
    expect(world.usageRecords()).to.deep.equal([["uid-a", 9_000, 10_000, 0, 0]]);
    expect(world.settlement("uid-a")).to.include({ billedTo: 10_000 });
  });

  it("does not sample in a final-bill round, and a retired pod's record carries only samples within its lease", async () => {
    const world = new MeteringWorld();
    world.addNode("n1");
    world.addPod({ name: "a", contributor: X, node: "n1", leaseStart: 9_000 });
    world.usage.set("uid-a", { cpuMillicores: 40n, memoryBytes: 400n });
    const loop = world.loop();
    await loop.round();
    world.now = 10_030;
    world.addPod({
      name: "a",
      contributor: X,
      node: "n1",
      leaseStart: 9_000,
      retiredAt: 10_020,
      leaseEndedAt: 10_020,
    });
    await loop.round(true);
    expect(world.usageReads).to.have.length(1);
    expect(world.usageRecords()).to.deep.equal([
      ["uid-a", 9_000, 10_000, 40, 400],
      ["uid-a", 10_000, 10_020, 40, 400],
    ]);
  });
});
