import { expect } from "chai";
import {
  contentChanged,
  dependentObjectChanged,
  primaryObjectChanged,
} from "../../../kube-runtime/predicates.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";

type Obj = KubeObject & { spec?: unknown; status?: unknown; data?: unknown };

const contract: Obj = {
  apiVersion: "uranus.io/v1alpha1",
  kind: "ComputeContract",
  metadata: {
    name: "c",
    namespace: "ns",
    generation: 3,
    resourceVersion: "100",
    labels: { team: "a" },
    annotations: { note: "x" },
    finalizers: ["uranus.io/final-settlement"],
    managedFields: [{ manager: "kubectl" }],
  },
  spec: { replicas: 2 },
  status: { phase: "Running" },
};

function edit(change: (object: Obj) => void, base: Obj = contract): Obj {
  const copy = structuredClone(base);
  copy.metadata.resourceVersion = String(Number(copy.metadata.resourceVersion) + 1);
  change(copy);
  return copy;
}

/** What `predicate` says of the update from `base` to a copy of it edited by `change`. */
function passes(
  predicate: (old: Obj, updated: Obj) => boolean,
  change: (object: Obj) => void,
  base: Obj = contract,
): boolean {
  return predicate(base, edit(change, base));
}

describe("update predicates", () => {
  describe("primary objects with a generation", () => {
    it("skip status-only and bookkeeping-only updates", () => {
      expect(passes(primaryObjectChanged, (o) => (o.status = { phase: "Paused" }))).to.equal(false);
      expect(
        passes(primaryObjectChanged, (o) => (o.metadata.managedFields = [])),
        "managedFields",
      ).to.equal(false);
      expect(
        passes(primaryObjectChanged, () => undefined),
        "resourceVersion only",
      ).to.equal(false);
    });

    it("pass spec (generation), label, annotation, finalizer and deletion changes", () => {
      expect(passes(primaryObjectChanged, (o) => (o.metadata.generation = 4))).to.equal(true);
      expect(passes(primaryObjectChanged, (o) => (o.metadata.labels = { team: "b" }))).to.equal(true);
      expect(passes(primaryObjectChanged, (o) => delete o.metadata.annotations)).to.equal(true);
      expect(passes(primaryObjectChanged, (o) => (o.metadata.finalizers = []))).to.equal(true);
      expect(
        passes(primaryObjectChanged, (o) => (o.metadata.deletionTimestamp = "2025-03-01T10:00:00Z")),
      ).to.equal(true);
    });
  });

  describe("primary objects without a generation (e.g. ConfigMap)", () => {
    const configMap: Obj = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "m", namespace: "ns", resourceVersion: "7" },
      data: { a: "1" },
    };

    it("pass content changes and skip bookkeeping-only ones", () => {
      expect(passes(primaryObjectChanged, (o) => (o.data = { a: "2" }), configMap)).to.equal(true);
      expect(passes(primaryObjectChanged, () => undefined, configMap)).to.equal(false);
      expect(
        passes(primaryObjectChanged, (o) => (o.status = { x: 1 }), configMap),
        "status",
      ).to.equal(false);
    });
  });

  describe("dependent objects", () => {
    it("pass status changes, which owners care about, and skip bookkeeping-only ones", () => {
      expect(passes(dependentObjectChanged, (o) => (o.status = { phase: "Paused" }))).to.equal(true);
      expect(passes(dependentObjectChanged, (o) => (o.metadata.managedFields = []))).to.equal(false);
      expect(contentChanged(contract, structuredClone(contract))).to.equal(false);
    });
  });
});
