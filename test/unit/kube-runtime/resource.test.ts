import { expect } from "chai";
import { CONFIG_MAP, NODE } from "../../../kube-runtime/builtin-resources.js";
import {
  collectionPath,
  describeResource,
  keyOf,
  objectKey,
  objectPath,
  parseKey,
  type ResourceType,
} from "../../../kube-runtime/resource.js";

const CONTRACT: ResourceType = {
  apiVersion: "uranus.io/v1alpha1",
  kind: "ComputeContract",
  plural: "computecontracts",
  namespaced: true,
};

describe("resource paths and keys", () => {
  it("builds core and group URL paths, namespaced and cluster-wide", () => {
    expect(collectionPath(CONFIG_MAP, "ns")).to.equal("/api/v1/namespaces/ns/configmaps");
    expect(collectionPath(CONFIG_MAP)).to.equal("/api/v1/configmaps");
    expect(objectPath(CONTRACT, { namespace: "team a", name: "job" }, "status")).to.equal(
      "/apis/uranus.io/v1alpha1/namespaces/team%20a/computecontracts/job/status",
    );
    expect(objectPath(NODE, { name: "n1" })).to.equal("/api/v1/nodes/n1");
    expect(describeResource(CONTRACT)).to.equal("computecontracts.uranus.io");
    expect(describeResource(CONFIG_MAP)).to.equal("configmaps");
  });

  it("names what is wrong with a scope mismatch", () => {
    expect(() => objectPath(CONTRACT, { name: "job" })).to.throw(
      /ComputeContract is namespaced: "job" needs a namespace/,
    );
    expect(() => objectPath(NODE, { namespace: "ns", name: "n1" })).to.throw(/Node is cluster-scoped/);
  });

  it("round-trips keys and rejects malformed ones", () => {
    expect(keyOf({ namespace: "ns", name: "a" })).to.equal("ns/a");
    expect(keyOf({ name: "node-1" })).to.equal("node-1");
    expect(parseKey("ns/a")).to.deep.equal({ namespace: "ns", name: "a" });
    expect(parseKey("node-1")).to.deep.equal({ name: "node-1" });
    for (const bad of ["", "/a", "a/", "a/b/c"]) {
      expect(() => parseKey(bad), bad).to.throw(/neither "name" nor "namespace\/name"/);
    }
    expect(() => objectKey({ kind: "Pod", metadata: {} })).to.throw(/Pod has no metadata.name/);
  });
});
