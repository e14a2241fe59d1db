import { expect } from "chai";
import { freePort, freePorts } from "../../../process/free-port.js";

describe("process: free loopback ports", () => {
  it("never hands out one port twice, even to callers asking at the same time", async () => {
    const batches = await Promise.all(Array.from({ length: 8 }, () => freePorts(6)));
    const single = await Promise.all(Array.from({ length: 16 }, () => freePort()));
    const all = [...batches.flat(), ...single];
    expect(new Set(all).size).to.equal(all.length);
    for (const port of all) expect(port).to.be.within(1, 65_535);
  });
});
