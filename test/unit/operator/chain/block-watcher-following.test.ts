import { expect } from "chai";
import type { Comet38Client } from "@cosmjs/tendermint-rpc";
import { BlockWatcher, type BlockEvent } from "../../../../operator/chain/block-watcher.js";
import { waitFor } from "../../../../process/wait-for.js";

/** A node whose head, failures and per-block end events the test sets; each block's event names its height. */
class ScriptedNode {
  height = 0;
  statusFailures = 0;
  readonly resultFailures = new Map<number, number>();
  /** Called when a block's results are read and fail, to script what the node does next. */
  onResultFailure: (height: number) => void = () => undefined;

  asComet(): Comet38Client {
    return this as unknown as Comet38Client;
  }

  status() {
    if (this.statusFailures > 0) {
      this.statusFailures -= 1;
      return Promise.reject(new Error("connect ECONNREFUSED"));
    }
    return Promise.resolve({ syncInfo: { latestBlockHeight: this.height, latestBlockTime: new Date(0) } });
  }

  block() {
    return Promise.resolve({ block: { header: { time: new Date(0) }, txs: [] } });
  }

  blockResults(height: number) {
    const failures = this.resultFailures.get(height) ?? 0;
    if (failures > 0) {
      this.resultFailures.set(height, failures - 1);
      this.onResultFailure(height);
      return Promise.reject(new Error(`could not find results for height #${height}`));
    }
    const events = [{ type: "mark", attributes: [{ key: "at", value: String(height) }] }];
    return Promise.resolve({ results: [], finalizeBlockEvents: events });
  }
}

describe("operator chain: BlockWatcher following a node that fails, restarts and is asked to look back", function () {
  this.timeout(20_000);
  let node: ScriptedNode;
  let watcher: BlockWatcher;
  let seen: BlockEvent[];
  const marks = () => seen.map((e) => Number(e.attributes.at));
  const until = (height: number) =>
    waitFor(() => seen.some((e) => e.height >= height) || undefined, {
      timeoutMs: 5_000,
      intervalMs: 5,
      description: `the events of block ${height}`,
    });

  beforeEach(async () => {
    node = new ScriptedNode();
    node.height = 2;
    seen = [];
    watcher = new BlockWatcher({ comet: node.asComet(), pollMs: 2 });
    watcher.onEvents(["mark"], (event) => seen.push(event));
    watcher.start();
    await waitFor(() => watcher.latestHeight === 2 || undefined, {
      timeoutMs: 5_000,
      description: "the head",
    });
  });

  afterEach(() => watcher.stop());

  it("a listener that throws neither stops the others nor later blocks", async () => {
    watcher.onEvents(["mark"], () => {
      throw new Error("listener bug");
    });
    node.height = 5;
    await until(5);
    expect(marks()).to.deep.equal([3, 4, 5]);
  });

  it("a waiter sending the scan back over blocks already read does not repeat their events", async () => {
    node.height = 6;
    await until(6);
    const waited = watcher.waitFor("AB".repeat(32), 3, 5_000);
    node.height = 8;
    await until(8);
    expect(marks()).to.deep.equal([3, 4, 5, 6, 7, 8]);
    watcher.cancel("AB".repeat(32));
    expect(await waited).to.equal(undefined);
  });

  it("an unreachable node does not count as a missing block: nothing is skipped", async () => {
    const gaps: number[] = [];
    watcher.onGap((height) => gaps.push(height));
    // Block 4's results fail once, and the node then stops answering for longer than the skip threshold.
    node.resultFailures.set(4, 1);
    node.onResultFailure = () => {
      node.statusFailures = 8;
    };
    node.height = 6;
    await until(6);
    expect(marks()).to.deep.equal([3, 4, 5, 6]);
    expect(gaps).to.deep.equal([]);
  });

  it("a block the node keeps refusing below its head is skipped, said to gap listeners, and what follows delivered", async () => {
    const gaps: number[] = [];
    watcher.onGap((height) => gaps.push(height));
    node.resultFailures.set(4, 1_000);
    node.height = 6;
    await until(6);
    expect(marks()).to.deep.equal([3, 5, 6]);
    expect(gaps).to.deep.equal([4]);
  });

  it("a chain begun again from genesis is followed from its new head", async () => {
    node.height = 10;
    await until(10);
    seen.length = 0;
    node.height = 1;
    await waitFor(() => watcher.latestHeight === 1 || undefined, {
      timeoutMs: 5_000,
      description: "the reset",
    });
    node.height = 3;
    await until(3);
    expect(marks()).to.deep.equal([2, 3]);
  });
});
