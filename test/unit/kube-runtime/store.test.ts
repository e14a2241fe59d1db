import { expect } from "chai";
import { byControllerOwner, byLabel, Store } from "../../../kube-runtime/store.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";

function pod(namespace: string, name: string, contract?: string, owner?: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      namespace,
      name,
      labels: contract === undefined ? {} : { "uranus.io/contract": contract },
      ownerReferences:
        owner === undefined
          ? []
          : [
              {
                apiVersion: "uranus.io/v1alpha1",
                kind: "PowerContainer",
                name: owner,
                uid: "u",
                controller: true,
              },
            ],
    },
  };
}

describe("informer store", () => {
  it("keys objects by namespace/name and lists them sorted, optionally by namespace", () => {
    const store = new Store();
    store.upsert(pod("b", "z"));
    store.upsert(pod("a", "y"));
    store.upsert(pod("a", "x"));
    expect(store.keys()).to.deep.equal(["a/x", "a/y", "b/z"]);
    expect(store.list("a").map((o) => o.metadata.name)).to.deep.equal(["x", "y"]);
    expect(store.get("b/z")?.metadata.name).to.equal("z");
  });

  it("keeps indexes current through replace and remove", () => {
    const store = new Store({ contract: byLabel("uranus.io/contract"), owner: byControllerOwner });
    store.upsert(pod("ns", "p1", "c1", "pc1"));
    store.upsert(pod("ns", "p2", "c1", "pc2"));
    store.upsert(pod("ns", "p3", "c2"));
    expect(store.byIndex("contract", "c1").map((o) => o.metadata.name)).to.deep.equal(["p1", "p2"]);
    expect(store.byIndex("owner", "PowerContainer/ns/pc2").map((o) => o.metadata.name)).to.deep.equal(["p2"]);
    store.upsert(pod("ns", "p1", "c2", "pc1"));
    expect(store.byIndex("contract", "c1").map((o) => o.metadata.name)).to.deep.equal(["p2"]);
    expect(store.byIndex("contract", "c2").map((o) => o.metadata.name)).to.deep.equal(["p1", "p3"]);
    store.remove("ns/p2");
    expect(store.byIndex("contract", "c1")).to.deep.equal([]);
    expect(store.byIndex("owner", "PowerContainer/ns/pc2")).to.deep.equal([]);
    expect(store.size).to.equal(2);
  });

  it("names the unknown index in its error", () => {
    expect(() => new Store().byIndex("nope", "x")).to.throw(/no index named "nope"/);
  });
});
