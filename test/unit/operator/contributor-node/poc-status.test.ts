import { expect } from "chai";
import { POC_REFRESH_BLOCKS, shownPoc } from "../../../../operator/contributor-node/poc-status.js";

const scores = (basic: number, service = 0, chain = 0) => ({
  basic: String(basic),
  service: String(service),
  chain: String(chain),
  total: String(basic + service + chain),
});

describe("operator: the PoC a ContributorNode's status shows", () => {
  it("shows the first scores, and a node's first non-zero score, at once", () => {
    expect(shownPoc(undefined, scores(0), 5)).to.deep.equal({
      basic: 0,
      service: 0,
      chain: 0,
      total: 0,
      height: 5,
    });
    const zero = shownPoc(undefined, scores(0), 5);
    expect(shownPoc(zero, scores(0), 6), "nothing new").to.equal(zero);
    expect(shownPoc(zero, scores(3), 7)).to.deep.equal({
      basic: 3,
      service: 0,
      chain: 0,
      total: 3,
      height: 7,
    });
  });

  it("holds scores that only accrued for POC_REFRESH_BLOCKS, then shows them", () => {
    const shown = shownPoc(undefined, scores(10, 0, 2), 100);
    expect(shownPoc(shown, scores(11, 0, 3), 100 + POC_REFRESH_BLOCKS - 1)).to.equal(shown);
    expect(shownPoc(shown, scores(11, 0, 3), 100 + POC_REFRESH_BLOCKS)).to.deep.include({
      basic: 11,
      total: 14,
    });
  });

  it("shows a service change (a breach, a rating) at once", () => {
    const shown = shownPoc(undefined, scores(10, 5), 100);
    expect(shownPoc(shown, scores(10, 2), 101)).to.deep.include({ service: 2, total: 12, height: 101 });
  });
});
