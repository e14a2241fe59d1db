// The apiserver restarts mid-run: the operator's watches fail and relist, and everything converges: the running
// contract keeps being metered and a contract applied after the restart opens and runs.
import { expect } from "chai";
import { waitFor } from "../../../process/wait-for.js";
import { applyContract, readContract, operatorSuite, type OperatorWorld } from "./support/operator-world.js";

async function ready(world: OperatorWorld, name: string): Promise<string> {
  const cc = await waitFor(
    async () => {
      const found = await readContract(world, name);
      return found?.status?.readyReplicas === 1 ? found : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500, description: `${name} running` },
  );
  return cc.status!.contractId!;
}

describe("operator across an apiserver restart", function () {
  const suite = operatorSuite(this, { nodes: 2, timeoutMs: 300_000 });
  let world: OperatorWorld;
  before(() => ({ world } = suite));

  it("reconnects, keeps metering and converges on what changed", async () => {
    await applyContract(world, { name: "steady" });
    const before = await ready(world, "steady");
    const { reader } = suite;
    await world.kube.controlPlane.restartApiserver();
    await applyContract(world, { name: "after-restart" });
    const after = await ready(world, "after-restart");
    expect(after).to.not.equal(before);
    const spent = (await reader.market.contract(before))!.spent;
    await waitFor(async () => ((await reader.market.contract(before))!.spent > spent ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
      description: "the first contract metered after the restart",
    });
  });
});
