import { expect } from "chai";
import { API_VERSION, KIND, type ComputeContract } from "../../../../crds/types.js";
import { ScuScale } from "../../../../units/scu-scale.js";
import {
  DEFAULT_MAX_MIGRATIONS,
  DEFAULT_RECOVER_WITHIN_SECONDS,
  durationSeconds,
  openContractMessage,
} from "../../../../operator/compute-contract/contract-terms.js";

function contract(spec: Partial<ComputeContract["spec"]>): ComputeContract {
  return {
    apiVersion: API_VERSION,
    kind: KIND.ComputeContract,
    metadata: { name: "c", namespace: "n" },
    spec: {
      template: { spec: { image: "i", size: { cpu: "3", memory: "1Gi" } } },
      maxPricePerSCUHour: "1200000",
      budget: "60000000",
      payer: { secretRef: { name: "k" } },
      ...spec,
    },
  };
}

describe("contract terms as the chain's OpenContract", () => {
  it("parses Go durations, rounding up to whole seconds, and names the field when it cannot", () => {
    expect(durationSeconds("1h30m", "spec.duration")).to.equal(5400);
    expect(durationSeconds("1500ms", "spec.duration")).to.equal(2);
    expect(() => durationSeconds("soon", "spec.duration")).to.throw(
      /spec\.duration: "soon" is not a duration/,
    );
  });

  it("carries size, replicas, price, budget, SLA, placement, spread, billing and the operator", () => {
    const message = openContractMessage(
      contract({
        replicas: 3,
        duration: "12h",
        sla: { recoverWithin: "30s", maxMigrations: 2 },
        placement: { regions: ["us", "eu"], minPoC: 7 },
        billing: "Used",
        template: { spec: { image: "i", size: { scu: 4 }, contributorSpread: "required" } },
      }),
      new ScuScale(),
      {
        operator: "0x00000000000000000000000000000000000000aa",
        clusterId: "home",
        clientRef: "0b9e8c2a-1111-4222-8333-944445555666",
        maxDurationSeconds: 999,
      },
    );
    expect(message).to.deep.equal({
      scuPerReplica: 4n,
      replicas: 3n,
      maxPricePerScuHour: 1_200_000n,
      budget: 60_000_000n,
      durationSeconds: 43_200n,
      recoverWithinSeconds: 30n,
      maxMigrations: 2n,
      regions: ["eu", "us"],
      minPoc: 7n,
      spread: true,
      billing: "used",
      operator: "0x00000000000000000000000000000000000000aa",
      clusterId: "home",
      clientRef: "0b9e8c2a-1111-4222-8333-944445555666",
    });
  });

  it("defaults: one replica, the chain's longest duration, a 10 s recovery, SCU from cpu/memory, reserved billing", () => {
    const message = openContractMessage(contract({}), new ScuScale(), {
      operator: "0x00000000000000000000000000000000000000aa",
      clusterId: "",
      clientRef: "uid-1",
      maxDurationSeconds: 999,
    });
    expect(message.replicas).to.equal(1n);
    expect(message.durationSeconds).to.equal(999n);
    expect(message.recoverWithinSeconds).to.equal(BigInt(DEFAULT_RECOVER_WITHIN_SECONDS));
    expect(message.maxMigrations).to.equal(BigInt(DEFAULT_MAX_MIGRATIONS));
    expect(message.scuPerReplica).to.equal(3n);
    expect(message.billing).to.equal("reserved");
    expect(message.spread).to.equal(false);
  });
});
