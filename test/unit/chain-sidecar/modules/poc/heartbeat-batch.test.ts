import { expect } from "chai";
import {
  HeartbeatBatchMsg,
  HeartbeatMsg,
  MAX_HEARTBEATS_PER_BATCH,
  RegisterNodeMsg,
} from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { EconomyChain, address } from "../market/economy-harness.js";
import { nodeOffer } from "../market/economy-fixtures.js";

const owner = address("batch-owner");
const operator = address("batch-operator");
const otherOwner = address("batch-other-owner");

function beat(nodeId: string, cpuMillicores = 0n) {
  return { nodeId, cpuMillicores, memoryBytes: 0n, storageBytes: 0n, bandwidthMbps: 0n };
}

/** node-a and node-b of `owner` with `operator` as their operator, and node-x of another owner. */
function chainWithNodes(): EconomyChain {
  const chain = new EconomyChain({
    accounts: [
      { address: owner, balance: 10_000_000n },
      { address: otherOwner, balance: 10_000_000n },
    ],
    params: { poc: { heartbeatWindowBlocks: 20, halvingBlocks: 1_000 } },
  });
  chain.ok(owner, RegisterNodeMsg, nodeOffer("node-a", { operator }));
  chain.ok(owner, RegisterNodeMsg, nodeOffer("node-b", { operator }));
  chain.ok(otherOwner, RegisterNodeMsg, nodeOffer("node-x"));
  return chain;
}

describe("poc: HeartbeatBatch, one operator's heartbeats for many nodes in one transaction", () => {
  it("leaves every node exactly as one Heartbeat each would, and brings offline nodes back with their events", () => {
    const batched = chainWithNodes();
    const single = chainWithNodes();
    for (const chain of [batched, single]) chain.endBlocks(25); // both nodes go offline
    const back = batched.ok(operator, HeartbeatBatchMsg, {
      beats: [beat("node-a", 3_000n), beat("node-b")],
    });
    single.ok(operator, HeartbeatMsg, beat("node-a", 3_000n));
    single.ok(operator, HeartbeatMsg, beat("node-b"));
    expect(back.events.filter((e) => e.type === "node_online")).to.have.length(2);
    for (const chain of [batched, single]) chain.endBlocks(10);
    batched.ok(operator, HeartbeatBatchMsg, { beats: [beat("node-b"), beat("node-a", 3_000n)] });
    single.ok(operator, HeartbeatMsg, beat("node-b"));
    single.ok(operator, HeartbeatMsg, beat("node-a", 3_000n));
    for (const nodeId of ["node-a", "node-b"]) {
      const view = batched.query<{ heartbeats: number; poc: { total: string } }>(`/poc/node/${nodeId}`);
      expect(view.heartbeats, `${nodeId}: its registration and two batches`).to.equal(3);
      expect(BigInt(view.poc.total) > 0n, nodeId).to.equal(true);
      expect(view, nodeId).to.deep.equal(single.query(`/poc/node/${nodeId}`));
    }
  });

  it("is all or nothing: one entry the sender may not send refuses the batch, naming the entry", () => {
    const chain = chainWithNodes();
    const heartbeats = () => chain.query<{ heartbeats: number }>("/poc/node/node-a").heartbeats;
    const before = heartbeats();
    const cases: [beats: ReturnType<typeof beat>[], code: number, text: string][] = [
      [[beat("node-a"), beat("node-x")], ResultCode.UNAUTHORISED, "HeartbeatBatch.beats[1]: "],
      [[beat("node-a"), beat("node-gone")], ResultCode.NOT_FOUND, "HeartbeatBatch.beats[1].nodeId"],
      [
        [beat("node-a"), beat("node-b"), beat("node-a")],
        ResultCode.INVALID_FIELD,
        "beats[2].nodeId: node node-a appears twice",
      ],
      [[], ResultCode.INVALID_FIELD, "HeartbeatBatch.beats: must hold at least one"],
      [
        Array.from({ length: MAX_HEARTBEATS_PER_BATCH + 1 }, (_, i) => beat(`node-${i}`)),
        ResultCode.INVALID_FIELD,
        `at most ${MAX_HEARTBEATS_PER_BATCH} heartbeats per batch`,
      ],
    ];
    for (const [beats, code, text] of cases) {
      const refused = chain.deliver(operator, HeartbeatBatchMsg, { beats });
      expect(refused.code, refused.log).to.equal(code);
      expect(refused.log).to.contain(text);
    }
    expect(heartbeats(), "no entry of a refused batch counts").to.equal(before);
  });
});
