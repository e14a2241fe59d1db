import { expect } from "chai";
import { CloseContractMsg } from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { MeteringBatchMsg } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import {
  BY_CONTRACT_PREFIX,
  BY_CONTRIBUTOR_PREFIX,
  CLOSED_POD_PREFIX,
  POD_PREFIX,
  PRUNE_PREFIX,
  RETIRE_PREFIX,
} from "../../../../../chain-sidecar/modules/metering/metering-records.js";
import type { ChainEvent } from "../../../../../chain-sidecar/modules/exec-context.js";
import { address, type EconomyChain } from "../market/economy-harness.js";
import { batchOf, meterRecord } from "../market/economy-fixtures.js";
import { chainWithPayerAndNode, leasePod, openContract } from "./contract-steps.js";

const payer = address("retention-payer");
const owner = address("retention-owner");

/** Opens a contract of `pods` pods (UIDs `<prefix>-<i>`) and meters a minute of each; returns its id. */
function meteredContract(chain: EconomyChain, pods: number, prefix = "pod"): string {
  const id = openContract(chain, payer, { replicas: BigInt(pods), budget: 10n ** 9n });
  const t0 = chain.seconds;
  const uids = Array.from({ length: pods }, (_, i) => `${prefix}-${i}`);
  uids.forEach((podUid, replica) =>
    leasePod(chain, payer, { contractId: id, podUid, replica: BigInt(replica), startedAt: t0 }),
  );
  chain.endBlock(60);
  const records = uids.map((podUid, replica) =>
    meterRecord(podUid, id, "node-a", t0, t0 + 60, { replica: BigInt(replica) }),
  );
  chain.ok(owner, MeteringBatchMsg, batchOf(owner, records));
  return id;
}

/** A contract of `pods` metered pods, closed by its payer; returns the chain and the contract id. */
function closedContractWithPods(
  pods: number,
  metering: { settlementRetentionSeconds: number; prunePerBlock: number },
): { chain: EconomyChain; id: string } {
  const chain = chainWithPayerAndNode({ payer, owner, params: { metering } });
  const id = meteredContract(chain, pods);
  chain.ok(payer, CloseContractMsg, { contractId: id });
  return { chain, id };
}

function archivedEvents(events: ChainEvent[]): Record<string, string>[] {
  return events.filter((e) => e.type === "settlements_archived").map((e) => Object.fromEntries(e.attributes));
}

const keysUnder = (chain: EconomyChain, prefix: string): number => chain.state.entries(prefix).length;

describe("metering: settlements of closed contracts move out of the live ones, then leave state after the retention window", () => {
  it("moves them out of the live ones at once, keeps them through the window, then removes at most prunePerBlock a block, with their indexes", () => {
    const { chain, id } = closedContractWithPods(5, { settlementRetentionSeconds: 100, prunePerBlock: 3 });
    expect(keysUnder(chain, PRUNE_PREFIX)).to.equal(1);
    // Closed at T (this block): the blocks at T and T + 99 move the five (3, then 2) and keep them, T + 100 prunes.
    expect(archivedEvents(chain.endBlock(99))).to.deep.equal([]);
    expect([keysUnder(chain, POD_PREFIX), keysUnder(chain, CLOSED_POD_PREFIX)]).to.deep.equal([2, 3]);
    expect(archivedEvents(chain.endBlock(1))).to.deep.equal([]);
    expect([keysUnder(chain, POD_PREFIX), keysUnder(chain, CLOSED_POD_PREFIX)]).to.deep.equal([0, 5]);
    expect(keysUnder(chain, RETIRE_PREFIX)).to.equal(0);
    expect(chain.query<{ podUid: string }>("/settlement/pod/pod-0").podUid).to.equal("pod-0");

    expect(archivedEvents(chain.endBlock(1))).to.deep.equal([{ contract: id, pods: "3", done: "false" }]);
    expect(keysUnder(chain, CLOSED_POD_PREFIX)).to.equal(2);
    expect(keysUnder(chain, `${BY_CONTRACT_PREFIX}${id}/`)).to.equal(2);
    expect(keysUnder(chain, `${BY_CONTRIBUTOR_PREFIX}${owner}/`)).to.equal(2);

    expect(archivedEvents(chain.endBlock(1))).to.deep.equal([{ contract: id, pods: "2", done: "true" }]);
    for (const prefix of [CLOSED_POD_PREFIX, BY_CONTRACT_PREFIX, BY_CONTRIBUTOR_PREFIX, PRUNE_PREFIX]) {
      expect(keysUnder(chain, prefix), prefix).to.equal(0);
    }
    expect(() => chain.query("/settlement/pod/pod-0")).to.throw("has no settlement");
    expect(archivedEvents(chain.endBlock(1))).to.deep.equal([]);
  });

  it("prunes none of a contract's settlements before all have moved, sharing prunePerBlock between the two", () => {
    const { chain, id } = closedContractWithPods(5, { settlementRetentionSeconds: 1, prunePerBlock: 2 });
    // T moves 2; T + 1 (due) moves 2 more and skips the pruning; T + 2 moves the last and still skips it.
    for (const [moved, events] of [
      [2, []],
      [4, []],
      [5, []],
    ] as const) {
      expect(archivedEvents(chain.endBlock(1))).to.deep.equal(events);
      expect(keysUnder(chain, CLOSED_POD_PREFIX)).to.equal(moved);
      expect(keysUnder(chain, POD_PREFIX)).to.equal(5 - moved);
    }
    expect(archivedEvents(chain.endBlock(1))).to.deep.equal([{ contract: id, pods: "2", done: "false" }]);
    expect(keysUnder(chain, CLOSED_POD_PREFIX)).to.equal(3);
  });

  it("moves the settlements of the oldest closing first, whatever the contracts' ids", () => {
    const chain = chainWithPayerAndNode({
      payer,
      owner,
      params: { metering: { settlementRetentionSeconds: 0, prunePerBlock: 1 } },
    });
    const [first, second] = [meteredContract(chain, 2, "first"), meteredContract(chain, 2, "second")];
    const [earlier, later] = first < second ? [second, first] : [first, second];
    const prefixOf = (id: string): string => (id === first ? "first" : "second");
    chain.ok(payer, CloseContractMsg, { contractId: earlier });
    chain.endBlock(1);
    chain.ok(payer, CloseContractMsg, { contractId: later });
    // One a block: the earlier closing's second pod goes before the later closing's first, though its id sorts after.
    const closed = (): string[] =>
      chain.state.entries(CLOSED_POD_PREFIX).map(([key]) => key.slice(CLOSED_POD_PREFIX.length));
    chain.endBlock(1);
    expect(closed()).to.deep.equal([`${prefixOf(earlier)}-0`, `${prefixOf(earlier)}-1`]);
    chain.endBlocks(2);
    expect(closed()).to.have.length(4);
  });

  it("moves them and keeps them for good when the retention is 0", () => {
    const { chain } = closedContractWithPods(2, { settlementRetentionSeconds: 0, prunePerBlock: 10 });
    expect(keysUnder(chain, PRUNE_PREFIX)).to.equal(0);
    chain.endBlocks(3, 10_000);
    expect([keysUnder(chain, POD_PREFIX), keysUnder(chain, CLOSED_POD_PREFIX)]).to.deep.equal([0, 2]);
    expect(chain.query<{ podUid: string }>("/settlement/pod/pod-1").podUid).to.equal("pod-1");
  });

  it("leaves the settlements of open contracts alone", () => {
    const chain = chainWithPayerAndNode({
      payer,
      owner,
      params: { metering: { settlementRetentionSeconds: 1, prunePerBlock: 10 } },
    });
    const id = openContract(chain, payer, { replicas: 1n, budget: 10n ** 9n });
    const t0 = chain.seconds;
    leasePod(chain, payer, { contractId: id, podUid: "pod-open", startedAt: t0 });
    chain.endBlock(60);
    chain.ok(owner, MeteringBatchMsg, batchOf(owner, [meterRecord("pod-open", id, "node-a", t0, t0 + 60)]));
    chain.endBlocks(3, 100);
    expect([keysUnder(chain, POD_PREFIX), keysUnder(chain, CLOSED_POD_PREFIX)]).to.deep.equal([1, 0]);
  });
});
