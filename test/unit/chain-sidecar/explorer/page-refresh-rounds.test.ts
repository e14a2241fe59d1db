import { expect } from "chai";
import { loadPageModules } from "./page-modules.js";

const [rounds] = await loadPageModules("refresh-rounds.js");

describe("explorer page: refresh rounds under a stream of blocks", () => {
  it("answers the first request after one round even while new requests keep arriving during every round", async () => {
    let started = 0;
    let finished = 0;
    let streaming = true;
    let request: () => Promise<void> = () => Promise.resolve();
    // Like a chain making blocks faster than a refresh takes: every round sees another block arrive.
    request = rounds.refreshRounds(
      async () => {
        started++;
        if (streaming) void request();
        await new Promise((resolve) => setTimeout(resolve, 5));
        finished++;
      },
      { minIntervalMs: 0 },
    );
    await request();
    expect(finished).to.equal(1);
    expect(started).to.be.at.most(2);
    streaming = false;
    await request();
    expect(finished).to.be.at.least(2);
  });

  it("never runs two rounds at once, and requests during a round share the next one", async () => {
    let running = 0;
    let overlap = false;
    let count = 0;
    const request = rounds.refreshRounds(
      async () => {
        running++;
        overlap ||= running > 1;
        count++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
      },
      { minIntervalMs: 0 },
    );
    const first = request();
    await Promise.resolve();
    const during = [request(), request(), request()];
    await Promise.all([first, ...during]);
    expect(overlap).to.equal(false);
    expect(count).to.equal(2);
  });

  it("starts rounds at least the minimum interval apart", async () => {
    const starts: number[] = [];
    const request = rounds.refreshRounds(
      () => {
        starts.push(performance.now());
        return Promise.resolve();
      },
      { minIntervalMs: 40 },
    );
    await request();
    await request();
    await request();
    expect(starts).to.have.length(3);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).to.be.at.least(39);
  });

  it("answers a request whose round failed, and reports the failure", async () => {
    const errors: unknown[] = [];
    let fail = true;
    const request = rounds.refreshRounds(
      () => (fail ? Promise.reject(new Error("node unreachable")) : Promise.resolve()),
      { minIntervalMs: 0, onError: (error) => errors.push(error) },
    );
    await request();
    expect(errors.map((e) => (e as Error).message)).to.deep.equal(["node unreachable"]);
    fail = false;
    await request();
    expect(errors).to.have.length(1);
  });
});
