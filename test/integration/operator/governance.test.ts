// A parameter changed by governance while the operator runs, end to end through the real operator, control plane and
// solo chain: the operator hears the change in a block and opens later contracts by the new value, which the chain now
// requires (the old one would be refused).
import { expect } from "chai";
import { ProposeParamChangeMsg } from "../../../chain-sidecar/modules/governance/governance-messages.js";
import { waitFor } from "../../../process/wait-for.js";
import { COMPUTE_CONTRACT } from "../../../operator/uranus-resources.js";
import { FAST_PARAMS } from "./support/solo-chain.js";
import {
  FUNDS,
  applyContract,
  operatorSuite,
  randomWallet,
  readContract,
  type OperatorWorld,
} from "./support/operator-world.js";

describe("operator: a chain parameter changed by governance while it runs", function () {
  const governor = randomWallet();
  const suite = operatorSuite(this, {
    nodes: 1,
    timeoutMs: 180_000,
    chain: { params: FAST_PARAMS, governor: governor.address },
    moreAccounts: [{ address: governor.address, balance: FUNDS }],
  });
  let world: OperatorWorld;
  before(() => ({ world } = suite));

  it("follows a lowered market.maxDurationSeconds: a contract without a duration opens for the new longest one", async () => {
    const before = world.operator!.currentParams().market.maxDurationSeconds;
    const lowered = 7 * 86_400;
    expect(before).to.be.above(lowered);
    const applied = await world.chain.client.submit(governor, ProposeParamChangeMsg, {
      changes: [{ module: "market", name: "maxDurationSeconds", value: String(lowered) }],
    });
    expect(applied.events.map((e) => e.type)).to.include("param_change");
    expect((await suite.reader.params()).market.maxDurationSeconds).to.equal(lowered);
    await waitFor(
      () => (world.operator!.currentParams().market.maxDurationSeconds === lowered ? true : undefined),
      { timeoutMs: 15_000, intervalMs: 100, description: "the operator's parameters after the change" },
    );

    await applyContract(world, { name: "governed", budget: 10n ** 12n, duration: null });
    const running = await waitFor(
      async () => {
        const cc = await readContract(world, "governed");
        return cc?.status?.phase === "Running" ? cc : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: "contract governed Running" },
    );
    const contract = await suite.reader.market.contract(running.status!.contractId!);
    expect(contract?.durationSeconds).to.equal(lowered);
    await world.client.delete(COMPUTE_CONTRACT, { namespace: world.namespace, name: "governed" });
  });
});
