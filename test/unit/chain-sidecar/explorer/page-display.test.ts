import { expect } from "chai";
import { loadPageModules } from "./page-modules.js";

const [format, contracts, feed] = await loadPageModules(
  "display-format.js",
  "contracts-view.js",
  "live-feed.js",
);

describe("explorer page: how values read", () => {
  it("writes amounts with separators exactly, beyond the range of doubles", () => {
    expect(format.amount("123456789012345678901234567890")).to.equal(
      "123,456,789,012,345,678,901,234,567,890",
    );
    expect(format.amount(0n)).to.equal("0");
    expect(format.amount(undefined)).to.equal("—");
    expect(format.amount("not a number")).to.equal("not a number");
  });

  it("writes ppm scores as points with two decimals", () => {
    expect(format.ppmPoints("276000000")).to.equal("276.00");
    expect(format.ppmPoints("1234567")).to.equal("1.23");
    expect(format.ppmPoints("5000")).to.equal("0.01");
    expect(format.ppmPoints("-2500000")).to.equal("-2.50");
  });

  it("shortens hashes, writes durations and percentages", () => {
    expect(format.shortHex("0123456789abcdef0123456789")).to.equal("01234567…456789");
    expect(format.shortHex("0xabc")).to.equal("0xabc");
    expect(format.duration(86_400)).to.equal("24 h 00 min 00 s");
    expect(format.duration(65)).to.equal("1 min 05 s");
    expect(format.duration(9)).to.equal("9 s");
    expect(format.percentOf("8680", "10000")).to.equal(86);
    expect(format.percentOf("5", "0")).to.equal(0);
  });

  it("writes used CPU milli-core-seconds as core-seconds and memory byte-seconds as GiB-seconds, exactly", () => {
    expect(format.decimal("1500", 1000n)).to.equal("1.500");
    expect(format.decimal("123456789012345678901", 1000n)).to.equal("123,456,789,012,345,678.901");
    expect(format.decimal(String(3n << 29n), 1n << 30n)).to.equal("1.500");
    expect(format.decimal("1", 1n << 30n)).to.equal("0.000");
    expect(format.decimal(undefined, 1000n)).to.equal("—");
  });

  it("lists settled pods and pods that hold a lease but have nothing settled yet, by pod UID", () => {
    const rows = contracts.podRows(
      [{ podUid: "pod-b" }, { podUid: "pod-a" }],
      [{ podUid: "pod-c" }, { podUid: "pod-a" }],
    );
    expect(rows.map((r) => [r.podUid, r.settled])).to.deep.equal([
      ["pod-a", true],
      ["pod-b", true],
      ["pod-c", false],
    ]);
  });

  it("adds archived settlements of pods no longer in state, and says where an archived one can be checked", () => {
    const merged = contracts.withArchived([{ podUid: "pod-a" }], [{ podUid: "pod-a" }, { podUid: "pod-z" }]);
    expect(merged.map((s) => s.podUid)).to.deep.equal(["pod-a", "pod-z"]);
    expect(contracts.lastSettledCell({ settled: true, lastHeight: 1200 })).to.equal("1,200");
    expect(
      contracts.lastSettledCell({
        settled: true,
        lastHeight: 1200,
        archived: { height: 1500, appHash: "ab" },
      }),
    ).to.equal("1,200 (archived, app hash at 1,500)");
    expect(contracts.lastSettledCell({ settled: false })).to.equal("not settled yet");
  });

  it("orders contracts newest first", () => {
    const list = [
      { id: "b", openedHeight: 3 },
      { id: "a", openedHeight: 9 },
      { id: "c", openedHeight: 3 },
    ].sort((x, y) => contracts.byOpenedHeight(x, y));
    expect(list.map((c) => c.id)).to.deep.equal(["a", "b", "c"]);
  });

  it("reads tx results from block_results and from NewBlock events alike", () => {
    expect(feed.txResultsOf({ txs_results: [{ code: 0 }] })).to.deep.equal([{ code: 0 }]);
    expect(feed.txResultsOf({ tx_results: [{ code: 5 }] })).to.deep.equal([{ code: 5 }]);
    expect(feed.txResultsOf({ txs_results: null })).to.deep.equal([]);
    expect(feed.txResultsOf(undefined)).to.deep.equal([]);
  });
});
