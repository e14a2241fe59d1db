import { expect } from "chai";
import {
  BlockPace,
  MIN_HEARTBEAT_INTERVAL_MS,
  heartbeatIntervalFor,
} from "../../../../operator/chain/block-pace.js";

const INTERVAL_MS = 10_000;
const WINDOW_BLOCKS = 30;

describe("operator: the chain's block pace, from polled heights and header times", () => {
  it("is unknown until a few blocks apart were seen, then the mean gap between their header times", () => {
    const pace = new BlockPace();
    for (const height of [10, 11, 12, 13]) pace.record(height, height * 500);
    expect(pace.intervalMs()).to.equal(undefined);
    pace.record(13, 99_999);
    pace.record(14, 14 * 500);
    expect(pace.intervalMs()).to.equal(500);
    // Polls that skip blocks count every block between them.
    pace.record(20, 14 * 500 + 6 * 250);
    expect(pace.intervalMs()).to.equal((6 * 250 + 4 * 500) / 10);
  });

  it("follows the recent blocks only, and starts afresh on a chain begun again from genesis", () => {
    const pace = new BlockPace();
    for (let height = 1; height <= 40; height++) pace.record(height, height * 1_000);
    for (let height = 41; height <= 80; height++) pace.record(height, 40_000 + (height - 40) * 200);
    expect(pace.intervalMs()).to.equal(200);
    pace.record(3, 1_000_000);
    expect(pace.intervalMs()).to.equal(undefined);
  });
  it("a heartbeat interval is the configured one unless the window at the chain's pace holds fewer than three", () => {
    expect(heartbeatIntervalFor(INTERVAL_MS, WINDOW_BLOCKS, undefined)).to.equal(INTERVAL_MS);
    expect(heartbeatIntervalFor(INTERVAL_MS, WINDOW_BLOCKS, 1_000)).to.equal(INTERVAL_MS);
    expect(heartbeatIntervalFor(INTERVAL_MS, WINDOW_BLOCKS, 5_000)).to.equal(INTERVAL_MS);
    expect(heartbeatIntervalFor(INTERVAL_MS, WINDOW_BLOCKS, 500)).to.equal(5_000);
    expect(heartbeatIntervalFor(INTERVAL_MS, 25, 200)).to.equal(1_666);
    expect(heartbeatIntervalFor(INTERVAL_MS, 10, 50)).to.equal(MIN_HEARTBEAT_INTERVAL_MS);
    expect(heartbeatIntervalFor(INTERVAL_MS, 0, 500)).to.equal(INTERVAL_MS);
  });
});
