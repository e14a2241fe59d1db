import { expect } from "chai";
import { EventQuery } from "../../../../chain-sidecar/solo/event-query.js";

describe("event subscription queries", () => {
  const tx = { "tm.event": ["Tx"], "tx.height": ["12"], "transfer.amount": ["5", "70"], "kv.key": ["color"] };

  it("matches the queries Comet38Client sends", () => {
    expect(EventQuery.parse("tm.event='NewBlock'").matches({ "tm.event": ["NewBlock"] })).to.equal(true);
    expect(EventQuery.parse("tm.event='NewBlock'").matches(tx)).to.equal(false);
    expect(EventQuery.parse("tm.event='Tx' AND kv.key='color'").matches(tx)).to.equal(true);
  });

  it("compares numbers, substrings and existence", () => {
    expect(EventQuery.parse("tm.event='Tx' AND transfer.amount > 60").matches(tx)).to.equal(true);
    expect(EventQuery.parse("transfer.amount >= 71").matches(tx)).to.equal(false);
    expect(EventQuery.parse("tx.height<=12 AND tx.height=12").matches(tx)).to.equal(true);
    expect(EventQuery.parse("kv.key CONTAINS 'olo'").matches(tx)).to.equal(true);
    expect(EventQuery.parse("kv.key EXISTS").matches(tx)).to.equal(true);
    expect(EventQuery.parse("bank.sender EXISTS").matches(tx)).to.equal(false);
  });

  it("names the condition it cannot parse", () => {
    expect(() => EventQuery.parse("tm.event='Tx' AND nonsense here")).to.throw(/"nonsense here"/);
    expect(() => EventQuery.parse("   ")).to.throw(/empty/);
  });
});
