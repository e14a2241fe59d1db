import { expect } from "chai";
import {
  ClusterHeartbeatMsg,
  RegisterClusterMsg,
  type RegisterCluster,
} from "../../../../../chain-sidecar/modules/federation/federation-messages.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import type { EconomyChain } from "../market/economy-harness.js";
import {
  beat,
  cluster,
  clusterOffer,
  eventsOf,
  federationChain,
  join,
  member,
} from "./federation-fixtures.js";

describe("federation: member clusters register, heartbeat and go offline", () => {
  const alpha = member("alpha");
  const beta = member("beta");
  let chain: EconomyChain;

  beforeEach(() => {
    chain = federationChain(member("payer").address);
  });

  it("binds a cluster to the account that registers it, online from that block, regions sorted", () => {
    const registered = chain.ok(
      alpha.address,
      RegisterClusterMsg,
      clusterOffer("alpha", alpha, { regions: ["us-east", "eu-west"], isolation: ["kata", "runc"] }),
    );
    expect(eventsOf(registered.events, "cluster_registered")).to.deep.equal([
      { cluster: "alpha", operator: alpha.address, regions: "eu-west,us-east", isolation: "kata,runc" },
    ]);
    expect(cluster(chain, "alpha")).to.deep.include({
      id: "alpha",
      operator: alpha.address,
      regions: ["eu-west", "us-east"],
      isolation: ["kata", "runc"],
      endpointHost: "alpha.example.net",
      portFirst: 30_000,
      portLast: 30_099,
      encryptionKey: alpha.wallet.signingKey.compressedPublicKey.toLowerCase(),
      online: true,
      lastHeartbeatHeight: chain.height,
      registeredHeight: chain.height,
      freeScu: 0,
      assigned: 0,
      failovers: 0,
    });
  });

  it("lets only its operator update it; another account is refused as unauthorised", () => {
    join(chain, "alpha", alpha, 10n);
    chain.endBlock();
    const update = chain.ok(
      alpha.address,
      RegisterClusterMsg,
      clusterOffer("alpha", alpha, { endpointHost: "10.0.0.7", regions: ["us-east"] }),
    );
    expect(update.events.map((e) => e.type)).to.deep.equal(["cluster_updated"]);
    expect(cluster(chain, "alpha")).to.deep.include({
      endpointHost: "10.0.0.7",
      regions: ["us-east"],
      registeredHeight: 1,
      lastHeartbeatHeight: 2,
      freeScu: 10,
    });
    const taken = chain.deliver(beta.address, RegisterClusterMsg, clusterOffer("alpha", beta));
    expect(taken.code).to.equal(ResultCode.UNAUTHORISED);
    expect(taken.log).to.contain("RegisterCluster.clusterId").and.contain(alpha.address);
    expect(cluster(chain, "alpha").operator).to.equal(alpha.address);
  });

  it("refuses an encryption key that is not the sender's own public key", () => {
    const claimed = chain.deliver(
      alpha.address,
      RegisterClusterMsg,
      clusterOffer("alpha", alpha, { encryptionKey: beta.wallet.signingKey.compressedPublicKey }),
    );
    expect(claimed.code).to.equal(ResultCode.INVALID_FIELD);
    expect(claimed.log).to.contain("RegisterCluster.encryptionKey").and.contain(beta.address);
    const uncompressed = chain.deliver(
      alpha.address,
      RegisterClusterMsg,
      clusterOffer("alpha", alpha, { encryptionKey: alpha.wallet.signingKey.publicKey }),
    );
    expect(uncompressed.code).to.equal(ResultCode.INVALID_FIELD);
    expect(uncompressed.log).to.contain("RegisterCluster.encryptionKey");
    expect(() => chain.query(`/cluster/alpha`)).to.throw(/not registered/);
  });

  const bad: [string, Partial<RegisterCluster>, string][] = [
    ["an id with capitals", { clusterId: "Alpha" }, "RegisterCluster.clusterId"],
    ["an empty id", { clusterId: "" }, "RegisterCluster.clusterId"],
    ["an id ending in a dash", { clusterId: "alpha-" }, "RegisterCluster.clusterId"],
    ["a 64-character id", { clusterId: "a".repeat(64) }, "RegisterCluster.clusterId"],
    ["a region that is no DNS label", { regions: ["EU West"] }, "RegisterCluster.regions[0]"],
    ["a region twice", { regions: ["eu-west", "eu-west"] }, "RegisterCluster.regions[1]"],
    ["an unknown runtime", { isolation: ["docker"] }, "RegisterCluster.isolation[0]"],
    ["no runtime", { isolation: [] }, "RegisterCluster.isolation"],
    ["an endpoint host with a port", { endpointHost: "alpha:80" }, "RegisterCluster.endpointHost"],
    ["port 0", { portFirst: 0n }, "RegisterCluster.portFirst"],
    ["ports the wrong way round", { portFirst: 31_000n, portLast: 30_000n }, "RegisterCluster.portLast"],
  ];
  for (const [name, overrides, field] of bad) {
    it(`refuses ${name}, naming ${field}`, () => {
      const result = chain.deliver(
        alpha.address,
        RegisterClusterMsg,
        clusterOffer("alpha", alpha, overrides),
      );
      expect(result.code, result.log).to.equal(ResultCode.INVALID_FIELD);
      expect(result.log).to.contain(`${field}:`);
    });
  }

  it("refuses more regions than maxClusterRegions", () => {
    chain = federationChain(member("payer").address, { federation: { maxClusterRegions: 2 } });
    const result = chain.deliver(
      alpha.address,
      RegisterClusterMsg,
      clusterOffer("alpha", alpha, { regions: ["a", "b", "c"] }),
    );
    expect(result.code).to.equal(ResultCode.INVALID_FIELD);
    expect(result.log).to.contain("RegisterCluster.regions: at most 2");
  });

  it("takes heartbeats only from the cluster's operator, silently", () => {
    join(chain, "alpha", alpha, 5n);
    chain.endBlock();
    const stranger = chain.deliver(beta.address, ClusterHeartbeatMsg, { clusterId: "alpha", freeScu: 99n });
    expect(stranger.code).to.equal(ResultCode.UNAUTHORISED);
    expect(stranger.log).to.contain("ClusterHeartbeat").and.contain(beta.address);
    const unknown = chain.deliver(alpha.address, ClusterHeartbeatMsg, { clusterId: "gamma", freeScu: 1n });
    expect(unknown.code).to.equal(ResultCode.NOT_FOUND);
    expect(unknown.log).to.contain("ClusterHeartbeat.clusterId");
    const ok = chain.ok(alpha.address, ClusterHeartbeatMsg, { clusterId: "alpha", freeScu: 7n });
    expect(ok.events).to.deep.equal([]);
    expect(cluster(chain, "alpha")).to.deep.include({ freeScu: 7, lastHeartbeatHeight: 2 });
  });

  it("goes offline after heartbeatTimeoutBlocks silent blocks and comes back with the next heartbeat", () => {
    join(chain, "alpha", alpha, 5n);
    // Registered at height 1 with a timeout of 5: still online at the end of block 6, offline at the end of 7.
    expect(eventsOf(chain.endBlocks(6), "cluster_offline")).to.deep.equal([]);
    expect(eventsOf(chain.endBlock(), "cluster_offline")).to.deep.equal([
      { cluster: "alpha", reason: "heartbeats", orders: "0" },
    ]);
    expect(cluster(chain, "alpha")).to.deep.include({ online: false, failovers: 0 });
    const back = chain.ok(alpha.address, ClusterHeartbeatMsg, { clusterId: "alpha", freeScu: 5n });
    expect(eventsOf(back.events, "cluster_online")).to.deep.equal([
      { cluster: "alpha", operator: alpha.address },
    ]);
    expect(cluster(chain, "alpha").online).to.equal(true);
    beat(chain, "alpha", alpha, 5n);
    expect(eventsOf(chain.endBlocks(5), "cluster_offline")).to.deep.equal([]);
  });

  it("lists every cluster in id order", () => {
    join(chain, "beta", beta, 1n);
    join(chain, "alpha", alpha, 2n);
    const all = chain.query<{ id: string; freeScu: number }[]>("/clusters");
    expect(all.map((c) => [c.id, c.freeScu])).to.deep.equal([
      ["alpha", 2],
      ["beta", 1],
    ]);
  });
});
