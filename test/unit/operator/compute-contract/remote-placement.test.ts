import { expect } from "chai";
import type { Contract } from "../../../../chain-sidecar/modules/market/market-types.js";
import type { Order } from "../../../../chain-sidecar/modules/federation/federation-types.js";
import type { ComputeContract } from "../../../../crds/types.js";
import { ScuScale } from "../../../../units/scu-scale.js";
import {
  isRemote,
  mirroredStatus,
  openOrderMessage,
} from "../../../../operator/compute-contract/remote-placement.js";

function contract(state: Contract["state"]): Contract {
  return { id: "0123456789abcdef0123", state, replicas: 1 } as unknown as Contract;
}

function order(fields: Partial<Order>): Order {
  return {
    state: "assigned",
    assignedCluster: "east",
    epoch: 1,
    phase: "Running",
    readyReplicas: 1,
    endpoints: ["east.example:8080"],
    previousClusters: [],
    ...fields,
  } as unknown as Order;
}

const cc: ComputeContract = {
  apiVersion: "uranus.io/v1alpha1",
  kind: "ComputeContract",
  metadata: { name: "web", namespace: "default", uid: "u-1" },
  spec: {
    template: { spec: { image: "registry.example/web:1.0", size: { scu: 1 }, isolation: "runc" } },
    maxPricePerSCUHour: "5",
    budget: "1000",
    duration: "1h",
    placement: { clusters: "Others", regions: ["us-east", "eu-west"] },
    payer: { secretRef: { name: "payer" } },
  },
};

describe("operator compute-contract: remote placement (home side)", () => {
  it("is remote only for Any and Others", () => {
    expect(isRemote(cc)).to.equal(true);
    expect(isRemote({ ...cc, spec: { ...cc.spec, placement: { clusters: "Local" } } })).to.equal(false);
    expect(isRemote({ ...cc, spec: { ...cc.spec, placement: undefined } })).to.equal(false);
  });

  it("opens an order with the contract's terms and its workload, and no operator", () => {
    const message = openOrderMessage(cc, new ScuScale(), {
      clusterId: "home",
      clientRef: "u-1",
      maxDurationSeconds: 86_400,
    });
    expect(message).to.not.have.property("operator");
    expect(message).to.deep.include({
      placement: "others",
      isolation: "runc",
      clusterId: "home",
      clientRef: "u-1",
      regions: ["eu-west", "us-east"],
      durationSeconds: 3600n,
      budget: 1000n,
    });
    expect(JSON.parse(message.workload)).to.deep.equal({ image: "registry.example/web:1.0" });
  });

  it("mirrors what the assigned cluster reported, and Pending while the order waits", () => {
    expect(mirroredStatus(contract("open"), order({}))).to.deep.equal({
      phase: "Running",
      readyReplicas: 1,
      placement: { cluster: "east", epoch: 1, endpoints: ["east.example:8080"] },
    });
    const waiting = mirroredStatus(
      contract("open"),
      order({ state: "open", assignedCluster: "", epoch: 1, endpoints: [], previousClusters: ["east"] }),
    );
    expect(waiting).to.deep.equal({
      phase: "Pending",
      readyReplicas: 0,
      placement: { epoch: 1, endpoints: [], previousClusters: ["east"] },
    });
    expect(mirroredStatus(contract("closed"), undefined).phase).to.equal("Closed");
    expect(mirroredStatus(contract("open"), order({ phase: "Nonsense" })).phase).to.equal("Pending");
  });
});
