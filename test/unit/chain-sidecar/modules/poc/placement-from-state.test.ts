import { createHash } from "node:crypto";
import { expect } from "chai";
import { HeartbeatMsg, RegisterNodeMsg } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { EconomyChain, address } from "../market/economy-harness.js";
import { nodeOffer } from "../market/economy-fixtures.js";

interface Placement {
  pickedTier: number;
  chosenTier: number | null;
  ranking: { nodeId: string; poc: string; tier: number; group: number }[];
}

const GIB = 1024n * 1024n * 1024n;
const PODS = 10_000;
const NODES = 40;

function podUid(index: number): string {
  const hex = createHash("sha256").update(`placement-pod-${index}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

describe("poc placement: partition round-robin over 10,000 pod UIDs through the chain's own node state", function () {
  this.timeout(120_000);
  const placements: Placement[] = [];
  let chain: EconomyChain;

  before(() => {
    chain = new EconomyChain({ params: { poc: { heartbeatWindowBlocks: 50, placementTiers: 4 } } });
    // Capacity grows with the index and earlier nodes have been online longer, so PoC totals differ;
    // the last node then goes offline.
    for (let i = 0; i < NODES; i++) {
      chain.endBlock();
      chain.ok(
        address(`placement-owner-${i}`),
        RegisterNodeMsg,
        nodeOffer(`node-${String(i).padStart(2, "0")}`, {
          cpuMillicores: BigInt(1_000 * (i + 1)),
          memoryBytes: 2n * GIB * BigInt(i + 1),
        }),
      );
    }
    for (let round = 0; round < 3; round++) {
      chain.endBlocks(10);
      for (let i = 0; i < NODES - 1; i++) {
        const nodeId = `node-${String(i).padStart(2, "0")}`;
        chain.ok(address(`placement-owner-${i}`), HeartbeatMsg, {
          nodeId,
          cpuMillicores: 0n,
          memoryBytes: 0n,
          storageBytes: 0n,
          bandwidthMbps: 0n,
        });
      }
    }
    chain.endBlocks(45);
    for (let i = 0; i < PODS; i++) placements.push(chain.query<Placement>(`/placement/${podUid(i)}`));
  });

  it("leaves offline nodes out", () => {
    expect(chain.query<{ online: boolean }>("/poc/node/node-39").online).to.equal(false);
    for (const p of placements.slice(0, 100)) {
      expect(p.ranking.map((r) => r.nodeId)).to.not.include("node-39");
      expect(p.ranking).to.have.length(NODES - 1);
    }
  });

  it("sends most pods to the highest PoC tier and some to every tier, by weights 4:3:2:1", () => {
    const counts = [0, 0, 0, 0];
    for (const p of placements) counts[p.chosenTier!]! += 1;
    const expected = [0.4, 0.3, 0.2, 0.1];
    counts.forEach((count, tier) => {
      expect(count / PODS, `tier ${tier}: ${counts.join("/")}`).to.be.closeTo(expected[tier]!, 0.02);
    });
  });

  it("ranks the chosen tier first, by PoC descending, and puts higher PoC in higher tiers", () => {
    for (const p of placements.slice(0, 500)) {
      const chosen = p.ranking.filter((r) => r.group === 0);
      expect(chosen.every((r) => r.tier === p.chosenTier)).to.equal(true);
      for (let i = 1; i < chosen.length; i++)
        expect(BigInt(chosen[i - 1]!.poc) >= BigInt(chosen[i]!.poc)).to.equal(true);
    }
    const byTier = new Map<number, bigint[]>();
    for (const r of placements[0]!.ranking)
      byTier.set(r.tier, [...(byTier.get(r.tier) ?? []), BigInt(r.poc)]);
    for (let tier = 1; tier < 4; tier++) {
      const lowestAbove = byTier.get(tier - 1)!.reduce((a, b) => (a < b ? a : b));
      const highestHere = byTier.get(tier)!.reduce((a, b) => (a > b ? a : b));
      expect(lowestAbove >= highestHere).to.equal(true);
    }
  });

  it("is deterministic: the same UID gets the same ranking again", () => {
    expect(chain.query<Placement>(`/placement/${podUid(7)}`)).to.deep.equal(placements[7]);
  });
});
