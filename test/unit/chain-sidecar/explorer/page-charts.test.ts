import { expect } from "chai";
import fc from "fast-check";
import { loadPageModules } from "./page-modules.js";

const [charts, escrow, tiers] = await loadPageModules("svg-charts.js", "escrow-history.js", "poc-tiers.js");

describe("explorer page: charts and the series behind them", () => {
  describe("escrow by height", () => {
    it("starts at the deposit at the opening height and steps down by each pod's charges at its settlement height", () => {
      const points = escrow.escrowByHeight(
        { openedHeight: 6, escrow: { deposited: "10000", remaining: "8680" } },
        [
          { charged: "580", lastHeight: 13 },
          { charged: "500", lastHeight: 11 },
          { charged: "240", lastHeight: 13 },
        ],
        20,
      );
      expect(points).to.deep.equal([
        { height: 6, escrow: 10_000n },
        { height: 11, escrow: 9_500n },
        { height: 13, escrow: 8_680n },
        { height: 20, escrow: 8_680n },
      ]);
    });

    it("ends at the escrow the contract reports, with heights in order, whatever the settlements", () => {
      fc.assert(
        fc.property(
          fc.nat({ max: 1000 }),
          fc.array(
            fc.record({
              charged: fc.bigInt({ min: 0n, max: 10n ** 12n }),
              lastHeight: fc.nat({ max: 2000 }),
            }),
          ),
          fc.bigInt({ min: 0n, max: 10n ** 12n }),
          fc.nat({ max: 3000 }),
          (opened, records, refunded, latest) => {
            const spent = records.reduce((sum, r) => sum + r.charged, 0n);
            const deposited = spent + refunded + 1n;
            const remaining = deposited - spent - refunded;
            const points = escrow.escrowByHeight(
              {
                openedHeight: opened,
                escrow: { deposited: String(deposited), remaining: String(remaining) },
              },
              records.map((r) => ({ charged: String(r.charged), lastHeight: r.lastHeight })),
              latest,
            );
            expect(points[0]).to.deep.equal({ height: opened, escrow: deposited });
            expect(points.at(-1)!.escrow).to.equal(remaining);
            for (let i = 1; i < points.length; i++) {
              expect(points[i]!.height).to.be.at.least(points[i - 1]!.height);
              expect(points[i]!.escrow <= points[i - 1]!.escrow).to.equal(true);
            }
          },
        ),
      );
    });
  });

  describe("SVG charts", () => {
    it("picks 1-2-5 steps, whole numbers for counts", () => {
      expect(charts.niceStep(10_000, 4)).to.equal(5_000);
      expect(charts.niceStep(7, 4)).to.equal(2);
      expect(charts.niceStep(0.3, 4)).to.equal(0.1);
      expect(charts.ticks(0, 7, 4)).to.deep.equal([0, 2, 4, 6, 8]);
      expect(charts.ticks(0, 2, 4)).to.deep.equal([0, 0.5, 1, 1.5, 2]);
      expect(charts.ticks(0, 2, 4, 1)).to.deep.equal([0, 1, 2]);
    });

    it("draws a step line with a point and tooltip per value, labelled for assistive technology", () => {
      const svg = charts.stepChart({
        id: "e",
        title: "Escrow of <contract> & co",
        description: "height 6: 10000; height 11: 9500",
        points: [
          { x: 6, y: 10_000 },
          { x: 11, y: 9_500 },
          { x: 13, y: 8_680 },
        ],
        xLabel: "block height",
        yLabel: "escrow",
      });
      expect(svg).to.match(/^<svg [^>]*role="img" aria-labelledby="e-title e-desc">/);
      expect(svg).to.contain('<title id="e-title">Escrow of &lt;contract&gt; &amp; co</title>');
      expect(svg.match(/<circle /g)).to.have.length(3);
      expect(svg).to.contain("<title>block height 11: 9,500</title>");
      expect(svg).to.match(/<path class="series" d="M[\d.]+,[\d.]+ H[\d.]+ V[\d.]+ H[\d.]+ V[\d.]+"/);
      expect(svg).to.not.contain("<script");
    });

    it("says so when there is nothing to draw", () => {
      const svg = charts.stepChart({
        id: "n",
        title: "t",
        description: "d",
        points: [],
        xLabel: "x",
        yLabel: "y",
      });
      expect(svg).to.contain(">no data yet</text>");
    });

    it("draws one bar per tier plus offline, with its count, and escapes every label", () => {
      const ranking = [
        { nodeId: "a", tier: 0 },
        { nodeId: "b", tier: 1 },
        { nodeId: "c", tier: 1 },
      ];
      const nodes = ["a", "b", "c", "d"].map((nodeId) => ({ nodeId }));
      const bars = tiers.tierDistribution(nodes, tiers.tiersFromPlacement({ ranking }), 4);
      expect(bars).to.deep.equal([
        { label: "Tier 1 (top)", value: 1 },
        { label: "Tier 2", value: 2 },
        { label: "Tier 3", value: 0 },
        { label: "Tier 4", value: 0 },
        { label: "Offline", value: 1, className: "bar-offline" },
      ]);
      expect(tiers.tierName(undefined)).to.equal("offline");
      const svg = charts.barChart({
        id: "t",
        title: "tiers",
        description: "d",
        bars: [...bars, { label: "<b>x</b>", value: 3 }],
        xLabel: "tier",
        yLabel: "nodes",
      });
      expect(svg.match(/<rect /g)).to.have.length(6);
      expect(svg).to.contain('class="bar bar-offline"');
      expect(svg).to.contain("&lt;b&gt;x&lt;/b&gt;");
      expect(svg).to.not.contain("<b>");
    });
  });
});
