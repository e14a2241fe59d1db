import { expect } from "chai";
import type { ComputeContract } from "../../../../crds/types.js";
import { contractServiceManifest } from "../../../../operator/compute-contract/contract-service.js";
import { remoteEndpointSlice } from "../../../../operator/compute-contract/remote-endpoints.js";
import { ingressPolicy } from "../../../../operator/federation/order-exposure.js";

function contract(clusters: "Local" | "Others", annotations?: Record<string, string>): ComputeContract {
  return {
    apiVersion: "uranus.io/v1alpha1",
    kind: "ComputeContract",
    metadata: { name: "web", namespace: "apps", uid: "u-1", ...(annotations ? { annotations } : {}) },
    spec: {
      template: {
        spec: {
          image: "registry.example/web:1.0",
          size: { scu: 1 },
          ports: [
            { name: "http", containerPort: 8080, protocol: "TCP" },
            { name: "metrics", containerPort: 9090, protocol: "TCP" },
          ],
        },
      },
      maxPricePerSCUHour: "5",
      budget: "1000",
      duration: "1h",
      placement: { clusters },
      payer: { secretRef: { name: "payer" } },
    },
  };
}

describe("operator: a remote contract's home Service and its endpoints from the chain", () => {
  it("gives a local contract a selecting ClusterIP, a remote one no selector, a copy a NodePort", () => {
    expect(contractServiceManifest(contract("Local"))!.spec).to.deep.include({
      type: "ClusterIP",
      selector: { "uranus.io/contract": "web" },
    });
    expect(contractServiceManifest(contract("Others"))!.spec!.selector).to.equal(undefined);
    const copy = contract("Local", { "uranus.io/service-type": "NodePort" });
    expect(contractServiceManifest(copy)!.spec!.type).to.equal("NodePort");
  });

  it("lists the holder's address with its reported port per Service port, by address type", () => {
    const ipv4 = remoteEndpointSlice(contract("Others"), [
      "127.0.0.1:30001",
      "127.0.0.1:30002",
    ]) as unknown as {
      metadata: { name: string; labels: Record<string, string> };
      addressType: string;
      endpoints: { addresses: string[] }[];
      ports: { name: string; port: number }[];
    };
    expect(ipv4.metadata.name).to.equal("web-ipv4");
    expect(ipv4.metadata.labels["kubernetes.io/service-name"]).to.equal("web");
    expect(ipv4.addressType).to.equal("IPv4");
    expect(ipv4.endpoints.map((e) => e.addresses)).to.deep.equal([["127.0.0.1"]]);
    expect(ipv4.ports).to.deep.equal([
      { name: "http", protocol: "TCP", port: 30001 },
      { name: "metrics", protocol: "TCP", port: 30002 },
    ]);
    const fqdn = remoteEndpointSlice(contract("Others"), ["east.example:30001", "east.example:30002"]);
    expect(fqdn!.metadata.name).to.equal("web-fqdn");
  });

  it("has no endpoints while the report does not cover every port", () => {
    const waiting = remoteEndpointSlice(contract("Others"), ["127.0.0.1:30001"]) as unknown as {
      endpoints: unknown[];
    };
    expect(waiting.endpoints).to.deep.equal([]);
    expect(remoteEndpointSlice(contract("Others"), [])).to.not.equal(undefined);
  });

  it("admits traffic to a copy's pods on its container ports only", () => {
    const policy = ingressPolicy(contract("Local")) as unknown as {
      spec: { podSelector: unknown; ingress: { ports: unknown[] }[] };
    };
    expect(policy.spec.podSelector).to.deep.equal({ matchLabels: { "uranus.io/contract": "web" } });
    expect(policy.spec.ingress[0]!.ports).to.deep.equal([
      { port: 8080, protocol: "TCP" },
      { port: 9090, protocol: "TCP" },
    ]);
  });
});
