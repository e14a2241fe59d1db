import { expect } from "chai";
import type { V1Node } from "@kubernetes/client-node";
import { nodeMatchesSelector } from "../../../../operator/power-container/node-selector-match.js";

const node: V1Node = { metadata: { name: "n1", labels: { zone: "a", gpus: "4" } } };

describe("node selector matching (required node affinity)", () => {
  it("matches everything without terms, and nothing with an empty term", () => {
    expect(nodeMatchesSelector(undefined, node)).to.equal(true);
    expect(nodeMatchesSelector({ nodeSelectorTerms: [] }, node)).to.equal(true);
    expect(nodeMatchesSelector({ nodeSelectorTerms: [{}] }, node)).to.equal(false);
  });

  it("applies In, NotIn, Exists, DoesNotExist, Gt and Lt to labels", () => {
    const holds = (operator: string, key: string, values?: string[]): boolean =>
      nodeMatchesSelector({ nodeSelectorTerms: [{ matchExpressions: [{ key, operator, values }] }] }, node);
    expect(holds("In", "zone", ["a", "b"])).to.equal(true);
    expect(holds("In", "zone", ["b"])).to.equal(false);
    expect(holds("NotIn", "zone", ["b"])).to.equal(true);
    expect(holds("NotIn", "missing", ["b"])).to.equal(true);
    expect(holds("Exists", "zone")).to.equal(true);
    expect(holds("DoesNotExist", "zone")).to.equal(false);
    expect(holds("Gt", "gpus", ["3"])).to.equal(true);
    expect(holds("Lt", "gpus", ["3"])).to.equal(false);
    expect(holds("Gt", "zone", ["3"])).to.equal(false);
    expect(holds("Bogus", "zone", ["a"])).to.equal(false);
  });

  it("ANDs requirements within a term, ORs terms, and reads metadata.name from matchFields", () => {
    const selector = {
      nodeSelectorTerms: [
        {
          matchExpressions: [
            { key: "zone", operator: "In", values: ["a"] },
            { key: "gpus", operator: "In", values: ["8"] },
          ],
        },
        { matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] },
      ],
    };
    expect(nodeMatchesSelector(selector, node)).to.equal(true);
    expect(nodeMatchesSelector({ nodeSelectorTerms: [selector.nodeSelectorTerms[0]!] }, node)).to.equal(
      false,
    );
  });
});
