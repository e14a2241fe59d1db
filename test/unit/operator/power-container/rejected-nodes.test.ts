import { expect } from "chai";
import { MAX_REJECTED_NODES, type PowerContainer } from "../../../../crds/types.js";
import {
  REJECTION_MEMORY_MS,
  contractRejectedNodes,
  rejectedNodes,
  withRejection,
} from "../../../../operator/power-container/rejected-nodes.js";

const start = new Date("2026-01-01T00:00:00Z");
const later = (ms: number) => new Date(start.getTime() + ms);

function powerContainer(list: ReturnType<typeof withRejection>): PowerContainer {
  return { status: { rejectedNodes: list } } as PowerContainer;
}

describe("rejected nodes", () => {
  it("adds a node once, moving a repeat to the end with its new reason and time", () => {
    let list = withRejection(undefined, "a", "region", start);
    list = withRejection(list, "b", "price", later(1_000));
    list = withRejection(list, "a", "price now", later(2_000));
    expect(list.map((entry) => [entry.node, entry.message, entry.time])).to.deep.equal([
      ["b", "price", "2026-01-01T00:00:01Z"],
      ["a", "price now", "2026-01-01T00:00:02Z"],
    ]);
  });

  it("avoids a node only while its refusal is recent, and drops expired ones on the next write", () => {
    const list = withRejection(withRejection(undefined, "a", "region", start), "b", "region", later(60_000));
    expect(rejectedNodes(powerContainer(list), later(REJECTION_MEMORY_MS - 1_000))).to.deep.equal(["a", "b"]);
    expect(rejectedNodes(powerContainer(list), later(REJECTION_MEMORY_MS))).to.deep.equal(["b"]);
    const next = withRejection(list, "c", "price", later(REJECTION_MEMORY_MS));
    expect(next.map((entry) => entry.node)).to.deep.equal(["b", "c"]);
  });

  it(`keeps the newest ${MAX_REJECTED_NODES}`, () => {
    let list = withRejection(undefined, "node-0", "region", start);
    for (let i = 1; i < MAX_REJECTED_NODES + 5; i++) list = withRejection(list, `node-${i}`, "region", start);
    expect(list).to.have.length(MAX_REJECTED_NODES);
    expect(list[0]!.node).to.equal("node-5");
    expect(list.at(-1)!.node).to.equal(`node-${MAX_REJECTED_NODES + 4}`);
  });

  it("a PowerContainer without refusals avoids nothing", () => {
    expect(rejectedNodes({ status: {} } as PowerContainer, start)).to.deep.equal([]);
  });

  it("avoids for a contract every node refused recently for any of its replicas, each once", () => {
    const replica0 = powerContainer(
      withRejection(withRejection(undefined, "a", "price", start), "b", "region", start),
    );
    const replica1 = powerContainer(
      withRejection(undefined, "b", "spread", later(REJECTION_MEMORY_MS - 10_000)),
    );
    const replica2 = powerContainer(withRejection(undefined, "c", "capacity", later(-REJECTION_MEMORY_MS)));
    expect(contractRejectedNodes([replica0, replica1, replica2], later(60_000))).to.deep.equal(["a", "b"]);
    expect(contractRejectedNodes([replica0, replica1], later(REJECTION_MEMORY_MS))).to.deep.equal(["b"]);
    expect(contractRejectedNodes([], start)).to.deep.equal([]);
  });
});
