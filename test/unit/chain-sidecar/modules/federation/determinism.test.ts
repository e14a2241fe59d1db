import { expect } from "chai";
import {
  ClusterHeartbeatMsg,
  OpenOrderMsg,
  RegisterClusterMsg,
} from "../../../../../chain-sidecar/modules/federation/federation-messages.js";
import { HeartbeatMsg, RegisterNodeMsg } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { rankForPod } from "../../../../../chain-sidecar/modules/poc/poc-types.js";
import { AppHarness } from "../../app-harness.js";
import { genesisAccount } from "../../genesis-entries.js";
import { EconomyChain } from "../market/economy-harness.js";
import { nodeOffer } from "../market/economy-fixtures.js";
import { clusterOffer, eventsOf, join, member, orderTerms, type Member } from "./federation-fixtures.js";

const payer = member("det-payer");
const alpha = member("det-alpha");
const beta = member("det-beta");

describe("federation: placement is deterministic", () => {
  /** Runs the same blocks on a fresh app: clusters join, orders open, alpha falls silent and loses its orders. */
  async function run(): Promise<{ appHashes: string[]; events: string[] }> {
    const { harness } = await AppHarness.start({
      accounts: [payer, alpha, beta].map((m) => genesisAccount(m.wallet, 10n ** 12n)),
      params: { federation: { heartbeatTimeoutBlocks: 3 } },
    });
    const appHashes: string[] = [];
    const events: string[] = [];
    const block = async (txs: Uint8Array[]) => {
      const response = await harness.block(txs);
      expect(response.txResults.map((r) => r.log)).to.deep.equal(txs.map(() => ""));
      appHashes.push(Buffer.from(response.appHash).toString("hex"));
      for (const e of response.events) events.push(`${e.type} ${e.attributes.map((a) => a.value).join(" ")}`);
    };
    const heartbeat = (m: Member, clusterId: string) =>
      harness.sign(m.wallet, ClusterHeartbeatMsg, { clusterId, freeScu: 50n });
    try {
      await block([
        await harness.sign(alpha.wallet, RegisterClusterMsg, clusterOffer("alpha", alpha)),
        await harness.sign(beta.wallet, RegisterClusterMsg, clusterOffer("beta", beta)),
        await heartbeat(alpha, "alpha"),
        await heartbeat(beta, "beta"),
      ]);
      const orders = [];
      for (let i = 0; i < 6; i++)
        orders.push(
          await harness.sign(
            payer.wallet,
            OpenOrderMsg,
            orderTerms("alpha", { clientRef: `det-${i}`, placement: i % 2 === 0 ? "any" : "others" }),
          ),
        );
      await block(orders);
      for (let i = 0; i < 5; i++) await block([await heartbeat(beta, "beta")]);
      return { appHashes, events };
    } finally {
      await harness.close();
    }
  }

  it("gives the same app hash and events on two fresh apps fed the same transactions", async () => {
    const one = await run();
    const two = await run();
    expect(one.events.filter((e) => e.startsWith("order_assigned"))).to.have.length.greaterThan(6);
    expect(one.events.some((e) => e.startsWith("cluster_offline alpha"))).to.equal(true);
    expect(two.appHashes).to.deep.equal(one.appHashes);
    expect(two.events).to.deep.equal(one.events);
  });

  it("ranks candidate clusters by their operators' node PoC, as poc's rankForPod does", () => {
    const owner = member("det-owner").address;
    const chain = new EconomyChain({ accounts: [{ address: payer.address, balance: 10n ** 12n }] });
    chain.ok(owner, RegisterNodeMsg, nodeOffer("node-alpha", { operator: alpha.address }));
    chain.ok(owner, RegisterNodeMsg, nodeOffer("node-beta", { operator: beta.address }));
    chain.endBlocks(5);
    const beat = { cpuMillicores: 0n, memoryBytes: 0n, storageBytes: 0n, bandwidthMbps: 0n };
    chain.ok(alpha.address, HeartbeatMsg, { nodeId: "node-alpha", ...beat });
    join(chain, "alpha", alpha, 1_000n);
    join(chain, "beta", beta, 1_000n);
    const ids = Array.from({ length: 12 }, (_, i) => {
      const opened = chain.ok(payer.address, OpenOrderMsg, orderTerms("alpha", { clientRef: `rank-${i}` }));
      return eventsOf(opened.events, "order_opened")[0]!.contract!;
    });
    const assigned = eventsOf(chain.endBlock(), "order_assigned");
    const total = (nodeId: string) =>
      BigInt(chain.query<{ poc: { total: string } }>(`/poc/node/${nodeId}`).poc.total);
    const candidates = [
      { name: "alpha", poc: total("node-alpha") },
      { name: "beta", poc: total("node-beta") },
    ];
    expect(candidates[0]!.poc > candidates[1]!.poc).to.equal(true);
    const expected = Object.fromEntries(
      [...ids].sort().map((id) => [id, rankForPod(candidates, `${id}/1`).ranking[0]!.name]),
    );
    expect(Object.fromEntries(assigned.map((a) => [a.contract, a.cluster]))).to.deep.equal(expected);
    expect(new Set(Object.values(expected)).size).to.equal(2);
  });
});
