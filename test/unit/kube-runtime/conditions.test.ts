import { expect } from "chai";
import {
  conditionTime,
  findCondition,
  isConditionTrue,
  removeCondition,
  setCondition,
} from "../../../kube-runtime/conditions.js";

const t1 = new Date("2025-03-01T10:00:00.123Z");
const t2 = new Date("2025-03-01T10:05:00.000Z");

describe("status conditions", () => {
  it("appends a new condition with the transition time at whole seconds", () => {
    const conditions = setCondition(
      undefined,
      { type: "Ready", status: "False", reason: "Pending", message: "waiting", observedGeneration: 1 },
      t1,
    );
    expect(conditions).to.deep.equal([
      {
        type: "Ready",
        status: "False",
        observedGeneration: 1,
        lastTransitionTime: "2025-03-01T10:00:00Z",
        reason: "Pending",
        message: "waiting",
      },
    ]);
  });

  it("keeps lastTransitionTime when only reason, message or generation change", () => {
    const first = setCondition(
      undefined,
      { type: "Ready", status: "False", reason: "Pending", message: "a" },
      t1,
    );
    const second = setCondition(
      first,
      { type: "Ready", status: "False", reason: "StillPending", message: "b", observedGeneration: 2 },
      t2,
    );
    expect(second[0]!.lastTransitionTime).to.equal(conditionTime(t1));
    expect(second[0]!.reason).to.equal("StillPending");
    expect(second[0]!.observedGeneration).to.equal(2);
  });

  it("moves lastTransitionTime when the status changes, and leaves other conditions in place", () => {
    let conditions = setCondition(
      undefined,
      { type: "Registered", status: "True", reason: "OnChain", message: "" },
      t1,
    );
    conditions = setCondition(
      conditions,
      { type: "Ready", status: "False", reason: "Pending", message: "" },
      t1,
    );
    conditions = setCondition(
      conditions,
      { type: "Ready", status: "True", reason: "Running", message: "" },
      t2,
    );
    expect(conditions.map((c) => c.type)).to.deep.equal(["Registered", "Ready"]);
    expect(findCondition(conditions, "Ready")!.lastTransitionTime).to.equal("2025-03-01T10:05:00Z");
    expect(findCondition(conditions, "Registered")!.lastTransitionTime).to.equal("2025-03-01T10:00:00Z");
    expect(isConditionTrue(conditions, "Ready")).to.equal(true);
    expect(isConditionTrue(conditions, "Online")).to.equal(false);
  });

  it("does not modify the list it was given", () => {
    const original = setCondition(
      undefined,
      { type: "Ready", status: "False", reason: "Pending", message: "" },
      t1,
    );
    const frozen = structuredClone(original);
    setCondition(original, { type: "Ready", status: "True", reason: "Running", message: "" }, t2);
    expect(original).to.deep.equal(frozen);
  });

  it("rejects a reason that is not CamelCase, naming the condition", () => {
    expect(() =>
      setCondition(undefined, { type: "Ready", status: "True", reason: "not ok", message: "" }, t1),
    ).to.throw(/condition Ready: reason "not ok"/);
  });

  it("removes a condition by type", () => {
    const conditions = setCondition(
      undefined,
      { type: "Ready", status: "True", reason: "Running", message: "" },
      t1,
    );
    expect(removeCondition(conditions, "Ready")).to.deep.equal([]);
    expect(removeCondition(conditions, "Other")).to.have.length(1);
  });
});
