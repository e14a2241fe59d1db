import { expect } from "chai";
import { HEAP_FLAGS, heapFlagsToSet } from "../../../kube-runtime/heap-tuning.js";

describe("V8 heap flags of the operator process", () => {
  it("sets every flag the process was not started with", () => {
    expect(heapFlagsToSet([])).to.deep.equal([...HEAP_FLAGS]);
    expect(heapFlagsToSet(["--enable-source-maps", ""])).to.deep.equal([...HEAP_FLAGS]);
  });

  it("leaves a flag given on the command line or in NODE_OPTIONS alone, in any spelling or its --no- form", () => {
    expect(heapFlagsToSet(["--heap-growing-percent=100"])).to.deep.equal(["--optimize-for-size"]);
    expect(heapFlagsToSet(["--heap_growing_percent=50", "--no-optimize-for-size"])).to.deep.equal([]);
    expect(heapFlagsToSet(["--optimize_for_size"])).to.deep.equal(["--heap-growing-percent=25"]);
  });
});
