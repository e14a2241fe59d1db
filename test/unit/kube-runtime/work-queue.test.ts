import { expect } from "chai";
import fc from "fast-check";
import { waitFor } from "../../../process/wait-for.js";
import { OperatorMetrics } from "../../../observability/metrics.js";
import { WorkQueue } from "../../../kube-runtime/work-queue.js";

/** Runs `workers` loops that take keys, process them and mark them done, until the queue shuts down. */
async function runWorkers(
  queue: WorkQueue,
  workers: number,
  process: (key: string) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (;;) {
        const key = await queue.get();
        if (key === undefined) return;
        try {
          await process(key);
        } finally {
          queue.done(key);
        }
      }
    }),
  );
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("work queue", () => {
  it("keeps a key once while it waits, however often it is added", async () => {
    const queue = new WorkQueue({ name: "dedup" });
    queue.add("ns/a");
    queue.add("ns/b");
    queue.add("ns/a");
    queue.add("ns/a");
    expect(queue.length).to.equal(2);
    expect(await queue.get()).to.equal("ns/a");
    expect(await queue.get()).to.equal("ns/b");
    expect(queue.length).to.equal(0);
  });

  it("parks a key re-added while it is processed and hands it out again only after done", async () => {
    const queue = new WorkQueue({ name: "parked" });
    queue.add("k");
    const first = await queue.get();
    expect(first).to.equal("k");
    queue.add("k");
    queue.add("k");
    expect(queue.length, "a key in processing is not ready").to.equal(0);
    let second: string | undefined;
    const waiting = queue.get().then((key) => (second = key));
    await tick(5);
    expect(second).to.equal(undefined);
    queue.done("k");
    await waiting;
    expect(second).to.equal("k");
    queue.done("k");
    expect(queue.length, "the two re-adds collapsed into one").to.equal(0);
  });

  it("never gives one key to two workers at once, and processes every add that came after a start", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom("a", "b", "c", "d"), fc.nat(3)), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        async (adds, workers) => {
          const queue = new WorkQueue({ name: "property" });
          const active = new Set<string>();
          let overlap = false;
          const lastAdd = new Map<string, number>();
          const lastStart = new Map<string, number>();
          let clock = 0;
          const running = runWorkers(queue, workers, async (key) => {
            if (active.has(key)) overlap = true;
            active.add(key);
            lastStart.set(key, ++clock);
            await tick(1);
            active.delete(key);
          });
          for (const [key, pause] of adds) {
            lastAdd.set(key, ++clock);
            queue.add(key);
            if (pause > 0) await tick(pause);
          }
          await waitFor(() => queue.length === 0 && queue.processingCount === 0, {
            timeoutMs: 5000,
            intervalMs: 2,
            description: "the queue to empty",
          });
          await queue.shutDownWithDrain();
          await running;
          expect(overlap, "two workers held one key").to.equal(false);
          for (const [key, added] of lastAdd) {
            expect(lastStart.get(key)! > added, `${key} was not processed after its last add`).to.equal(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("grows a key's requeue delay exponentially up to the cap, and forget() resets it", () => {
    const queue = new WorkQueue({ name: "backoff", rateLimit: { initialMs: 10, maxMs: 100 } });
    const delays = Array.from({ length: 6 }, () => queue.addRateLimited("k"));
    expect(delays).to.deep.equal([10, 20, 40, 80, 100, 100]);
    expect(queue.numRequeues("k")).to.equal(6);
    expect(queue.addRateLimited("other"), "keys back off independently").to.equal(10);
    queue.forget("k");
    expect(queue.numRequeues("k")).to.equal(0);
    expect(queue.addRateLimited("k")).to.equal(10);
    queue.shutDown();
  });

  it("hands out a rate-limited key only after its delay", async () => {
    const queue = new WorkQueue({ name: "delay", rateLimit: { initialMs: 60, maxMs: 1000 } });
    const t0 = performance.now();
    queue.addRateLimited("k");
    expect(queue.length).to.equal(0);
    const key = await queue.get();
    expect(key).to.equal("k");
    expect(performance.now() - t0).to.be.greaterThanOrEqual(55);
    queue.done("k");
    queue.shutDown();
  });

  it("keeps the earliest of several delayed adds of one key", async () => {
    const queue = new WorkQueue({ name: "after" });
    const t0 = performance.now();
    queue.addAfter("k", 5000);
    queue.addAfter("k", 30);
    queue.addAfter("k", 4000);
    expect(await queue.get()).to.equal("k");
    expect(performance.now() - t0).to.be.lessThan(2000);
    queue.done("k");
    queue.shutDown();
  });

  it("on shutdown drains the keys in processing, drops waiting ones and wakes idle workers", async () => {
    const queue = new WorkQueue({ name: "drain" });
    const finished: string[] = [];
    let releaseSlow: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    const started: string[] = [];
    queue.add("slow");
    const running = runWorkers(queue, 3, async (key) => {
      started.push(key);
      if (key === "slow") await slow;
      finished.push(key);
    });
    await waitFor(() => started.includes("slow"), { timeoutMs: 2000, description: "slow to start" });
    queue.addAfter("later", 10_000);
    let drained = false;
    const draining = queue.shutDownWithDrain().then(() => (drained = true));
    queue.add("after-shutdown");
    await tick(20);
    expect(drained, "shutdown waits for the key in processing").to.equal(false);
    releaseSlow();
    await draining;
    await running;
    expect(finished).to.deep.equal(["slow"]);
    expect(await queue.get()).to.equal(undefined);
  });

  it("reports depth, adds, retries and durations under controller-runtime names", async () => {
    const metrics = new OperatorMetrics();
    const queue = new WorkQueue({ name: "measured", controller: "measured", metrics });
    queue.add("a");
    queue.add("b");
    queue.add("a");
    let text = await metrics.exposition();
    expect(text).to.match(/workqueue_depth\{name="measured",controller="measured"\} 2/);
    expect(text).to.match(/workqueue_adds_total\{name="measured",controller="measured"\} 2/);
    const key = await queue.get();
    queue.addRateLimited("c");
    text = await metrics.exposition();
    expect(text).to.match(
      /workqueue_longest_running_processor_seconds\{name="measured",controller="measured"\} \d/,
    );
    queue.done(key!);
    text = await metrics.exposition();
    expect(text).to.match(/workqueue_retries_total\{name="measured",controller="measured"\} 1/);
    expect(text).to.match(
      /workqueue_queue_duration_seconds_count\{name="measured",controller="measured"\} 1/,
    );
    expect(text).to.match(/workqueue_work_duration_seconds_count\{name="measured",controller="measured"\} 1/);
    queue.shutDown();
  });
});
