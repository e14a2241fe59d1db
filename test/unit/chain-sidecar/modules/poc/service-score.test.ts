import { expect } from "chai";
import { pocParams } from "../../../../../chain-sidecar/modules/poc/poc-params.js";
import { serviceScore } from "../../../../../chain-sidecar/modules/poc/scores.js";
import type { ContributorRecord } from "../../../../../chain-sidecar/modules/poc/poc-records.js";

const params = pocParams.defaults;

/** A node with a long record of completed, well-rated leases, so breaches never push the score to the floor. */
function served(breaches: number): ContributorRecord {
  return {
    nodeId: "node-a",
    owner: "0xowner",
    operator: "",
    region: "eu-west",
    isolation: "runc",
    pricePerScuHour: 1_000n,
    capacity: { cpu: 4_000n, memory: 8n << 30n, storage: 0n, bandwidth: 0n },
    registeredHeight: 1,
    online: true,
    onlineSinceMs: 0,
    lastHeartbeatHeight: 1,
    heartbeats: 1,
    misses: 0,
    activeLeases: 0,
    completedLeases: 1_000_000,
    ratingSum: 5_000,
    ratingCount: 1_000,
    breaches,
    total: 0n,
    totalEpoch: 0,
    accruedTo: 0,
  };
}

describe("service score: what an SLA breach costs", () => {
  it("takes poc.breachPenaltyPpm (2,000,000 by default) off the service score per breach, whatever its kind", () => {
    expect(params.breachPenaltyPpm).to.equal(2_000_000);
    const scores = [0, 1, 2].map((breaches) => serviceScore(served(breaches), params));
    expect(scores[0]! - scores[1]!).to.equal(2_000_000n);
    // A late recovery records two breaches (availability and recovery): it costs twice one breach.
    expect(scores[0]! - scores[2]!).to.equal(4_000_000n);
  });

  it("never goes below zero", () => {
    expect(
      serviceScore({ ...served(1_000_000), completedLeases: 0, ratingCount: 0, ratingSum: 0 }, params),
    ).to.equal(0n);
  });
});
