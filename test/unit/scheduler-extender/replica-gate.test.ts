import { expect } from "chai";
import { ReplicaGate } from "../../../scheduler-extender/replica-gate.js";

describe("replica gate", () => {
  it("lets a pod through at once when no other replica of its contract is being placed", async () => {
    const gate = new ReplicaGate({ pendingForMs: 5_000, maxWaitMs: 5_000 });
    gate.markPending("ns/other", "x");
    gate.markPending("ns/c", "self");
    expect(await gate.waitForOtherReplicas("ns/c", "self")).to.equal("clear");
  });

  it("holds the next replica until the previous one is seen bound", async () => {
    const gate = new ReplicaGate({ pendingForMs: 5_000, maxWaitMs: 5_000 });
    gate.markPending("ns/c", "first");
    let done = false;
    const waiting = gate.waitForOtherReplicas("ns/c", "second").then((outcome) => {
      done = true;
      return outcome;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(done, "still waiting before the binding is seen").to.equal(false);
    gate.settle("first");
    expect(await waiting).to.equal("settled");
    expect(gate.pendingCount).to.equal(0);
  });

  it("gives up after the wait limit and forgets pods that were never bound", async () => {
    const gate = new ReplicaGate({ pendingForMs: 10_000, maxWaitMs: 30 });
    gate.markPending("ns/c", "stuck");
    const started = performance.now();
    expect(await gate.waitForOtherReplicas("ns/c", "next")).to.equal("timed-out");
    expect(performance.now() - started).to.be.within(25, 1_000);

    const expiring = new ReplicaGate({ pendingForMs: 20, maxWaitMs: 5_000 });
    expiring.markPending("ns/c", "lost");
    expect(await expiring.waitForOtherReplicas("ns/c", "next")).to.equal("settled");
    expect(expiring.pendingCount).to.equal(0);
  });
});
