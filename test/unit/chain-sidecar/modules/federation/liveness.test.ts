import { expect } from "chai";
import { consensusAddressOf } from "../../../../../chain-sidecar/modules/staking/staking-records.js";
import { ResizeContractMsg } from "../../../../../chain-sidecar/modules/market/market-messages.js";
import {
  ReportOrderMsg,
  type ReportOrder,
} from "../../../../../chain-sidecar/modules/federation/federation-messages.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { EconomyChain } from "../market/economy-harness.js";
import {
  beat,
  cluster,
  eventsOf,
  join,
  member,
  openOrder,
  order,
  orderTerms,
} from "./federation-fixtures.js";

describe("federation: liveness from heartbeats and the operator's validator, and what clusters may claim", () => {
  const payer = member("liveness-payer").address;
  const alpha = member("alpha");
  const beta = member("beta");
  const consensusKey = Buffer.alloc(32, 7);
  const alphaValidator = consensusAddressOf(consensusKey);
  let chain: EconomyChain;

  /** alpha's operator also runs a validator; the heartbeat timeout is 8 blocks, 3 when the validator is silent too. */
  beforeEach(() => {
    chain = new EconomyChain({
      accounts: [{ address: payer, balance: 10n ** 12n }],
      validators: [
        { operator: alpha.address, consensusPubKey: consensusKey.toString("base64"), deposit: 1_000_000n },
      ],
      params: { federation: { heartbeatTimeoutBlocks: 8, silentValidatorTimeoutBlocks: 3 } },
    });
    join(chain, "alpha", alpha, 10n);
    join(chain, "beta", beta, 10n);
  });

  /** Ends blocks with alpha's validator signing or not, beta heartbeating, until alpha goes offline; returns how many. */
  function blocksUntilOffline(signed: boolean, alphaBeats = false): { blocks: number; reason: string } {
    for (let blocks = 1; blocks <= 20; blocks++) {
      beat(chain, "beta", beta, 10n);
      if (alphaBeats) beat(chain, "alpha", alpha, 10n);
      const offline = eventsOf(
        chain.endBlock(1, [{ consensusAddress: alphaValidator, signed }]),
        "cluster_offline",
      );
      if (offline.length > 0) return { blocks, reason: offline[0]!.reason! };
    }
    return { blocks: Infinity, reason: "" };
  }

  it("takes a cluster offline sooner when its heartbeats stop and its operator's validator stops signing", () => {
    const silent = blocksUntilOffline(false);
    expect(silent.reason).to.equal("cluster");
    expect(silent.blocks).to.be.at.most(5);
    expect(cluster(chain, "alpha")).to.deep.include({ online: false, offlineHeight: chain.height - 1 });
  });

  it("waits the whole heartbeat timeout while the validator signs: a restarting operator keeps its orders", () => {
    const signing = blocksUntilOffline(true);
    expect(signing).to.deep.equal({ blocks: 10, reason: "heartbeats" });
    expect(cluster(chain, "alpha").validatorSilentSince).to.equal(0);
  });

  it("keeps a cluster whose validator is down online while its operator heartbeats", () => {
    expect(blocksUntilOffline(false, true).blocks).to.equal(Infinity);
    expect(cluster(chain, "alpha").validatorSilentSince).to.be.greaterThan(0);
    // Signing again clears the silence: only a change is written.
    chain.endBlock(1, [{ consensusAddress: alphaValidator, signed: true }]);
    expect(cluster(chain, "alpha").validatorSilentSince).to.equal(0);
  });

  it("counts a validator silent since the last block whose votes were seen, when blocks between had no txs", () => {
    chain.endBlock(1, [{ consensusAddress: alphaValidator, signed: true }]);
    const seenAt = chain.height;
    // Blocks without txs run no hooks: their votes are never seen.
    chain.height += 6;
    beat(chain, "beta", beta, 10n);
    chain.endBlock(1, [{ consensusAddress: alphaValidator, signed: false }]);
    expect(cluster(chain, "alpha").validatorSilentSince).to.equal(seenAt);
  });

  it("ignores votes of validators no cluster's operator runs", () => {
    const other = consensusAddressOf(Buffer.alloc(32, 9));
    chain.endBlock(1, [{ consensusAddress: other, signed: false }]);
    expect(cluster(chain, "beta").validatorSilentSince).to.equal(0);
  });

  describe("reported endpoints", () => {
    let id: string;
    const report = (endpoints: string[]): ReportOrder => ({
      contractId: id,
      epoch: 1n,
      phase: "Running",
      readyReplicas: 1n,
      endpoints,
    });

    beforeEach(() => {
      id = openOrder(chain, payer, orderTerms("beta", { placement: "others" }));
      chain.endBlock();
      expect(order(chain, id).assignedCluster).to.equal("alpha");
    });

    it("are the holder's declared host within its port range; anything else is refused as unauthorised", () => {
      chain.ok(alpha.address, ReportOrderMsg, report(["alpha.example.net:30000", "alpha.example.net:30099"]));
      for (const endpoint of [
        "beta.example.net:30000",
        "alpha.example.net:29999",
        "alpha.example.net:30100",
      ]) {
        const refused = chain.deliver(alpha.address, ReportOrderMsg, report([endpoint]));
        expect(refused.code, endpoint).to.equal(ResultCode.UNAUTHORISED);
        expect(refused.log)
          .to.contain("ReportOrder.endpoints[0]")
          .and.contain("alpha.example.net:30000-30099");
      }
      expect(order(chain, id).endpoints).to.deep.equal([
        "alpha.example.net:30000",
        "alpha.example.net:30099",
      ]);
    });

    it("count toward capacity only once ready: free SCU less the replicas not yet ready", () => {
      const scu = order(chain, id).scu;
      beat(chain, "alpha", alpha, 10n);
      expect(cluster(chain, "alpha").freeScu).to.equal(10 - scu);
      chain.ok(alpha.address, ReportOrderMsg, report([]));
      beat(chain, "alpha", alpha, 10n);
      expect(cluster(chain, "alpha").freeScu).to.equal(10);
    });

    it("an order resized before it moves is placed at its new size", () => {
      expect(order(chain, id).scu).to.equal(2);
      chain.ok(payer, ResizeContractMsg, { contractId: id, replicas: 3n });
      join(chain, "gamma", member("gamma"), 100n);
      blocksUntilOffline(false);
      chain.endBlock();
      expect(order(chain, id)).to.deep.include({ assignedCluster: "gamma", scu: 6 });
    });
  });
});
