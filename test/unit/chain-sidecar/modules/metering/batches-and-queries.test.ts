import { expect } from "chai";
import {
  meterLeaf,
  meteringRoot,
  meteringTree,
  verifyMeterRecord,
} from "../../../../../chain-sidecar/modules/metering/batch-root.js";
import { MeteringBatchMsg } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { PAGE_SIZE } from "../../../../../chain-sidecar/modules/metering/metering-module.js";
import { meteringParams } from "../../../../../chain-sidecar/modules/metering/metering-params.js";
import { readParams, writeParams } from "../../../../../chain-sidecar/modules/params/params-keeper.js";
import { address } from "../market/economy-harness.js";
import { batchOf, meterRecord } from "../market/economy-fixtures.js";
import { chainWithPayerAndNode, leasePod, oneRecordBatch, openContract } from "./contract-steps.js";

describe("metering: Merkle roots of batches and settlement queries", () => {
  const records = Array.from({ length: 7 }, (_, i) =>
    meterRecord(`pod-${i}`, "0123456789abcdef0123", "node-a", 100 + i, 160 + i),
  );

  it("proves each record against the batch root, and no altered record", () => {
    const tree = meteringTree(records);
    const root = meteringRoot(records);
    for (const record of records) {
      expect(verifyMeterRecord(root, record, tree.getHexProof(meterLeaf(record)))).to.equal(true);
    }
    const proof = tree.getHexProof(meterLeaf(records[3]!));
    expect(verifyMeterRecord(root, { ...records[3]!, toTime: records[3]!.toTime + 1n }, proof)).to.equal(
      false,
    );
  });

  it("gives a root that does not depend on record order but does on every field", () => {
    expect(meteringRoot([...records].reverse())).to.equal(meteringRoot(records));
    expect(meteringRoot([{ ...records[0]!, scu: 3n }, ...records.slice(1)])).to.not.equal(
      meteringRoot(records),
    );
  });

  it("lists settlements by contract and by contributor in pages, and batches with their roots", () => {
    const payer = address("q-payer");
    const owner = address("q-owner");
    const chain = chainWithPayerAndNode({ payer, owner, params: { market: { maxReplicas: 1_000 } } });
    const pods = PAGE_SIZE + 30;
    const id = openContract(chain, payer, { replicas: BigInt(pods), budget: 10n ** 9n });
    const t0 = chain.seconds;
    const uids = Array.from({ length: pods }, (_, i) => `pod-${String(i).padStart(4, "0")}`);
    uids.forEach((podUid, replica) =>
      leasePod(chain, payer, { contractId: id, podUid, replica: BigInt(replica), startedAt: t0 }),
    );
    chain.endBlock(60);
    const batch = batchOf(
      owner,
      uids.map((podUid, replica) =>
        meterRecord(podUid, id, "node-a", t0, t0 + 60, { replica: BigInt(replica) }),
      ),
    );
    chain.ok(owner, MeteringBatchMsg, batch);

    type Page = { settlements: { podUid: string; seconds: number }[]; next: string | null };
    const first = chain.query<Page>(`/settlements/contract/${id}`);
    expect(first.settlements).to.have.length(PAGE_SIZE);
    expect(first.next).to.equal(uids[PAGE_SIZE - 1]);
    const second = chain.query<Page>(`/settlements/contract/${id}/after/${first.next}`);
    expect(second.settlements.map((s) => s.podUid)).to.deep.equal(uids.slice(PAGE_SIZE));
    expect(second.next).to.equal(null);
    const byOwner = chain.query<Page>(`/settlements/contributor/${owner}`);
    expect(byOwner.settlements[0]).to.deep.include({ podUid: "pod-0000", seconds: 60 });

    const batches = chain.query<{ batches: { root: string; records: number }[] }>(
      `/batches/contributor/${owner}`,
    );
    expect(batches.batches).to.have.length(1);
    expect(batches.batches[0]).to.deep.include({ root: batch.root, records: pods });
  });

  it("keeps only the most recent batchesKept batch records of a contributor, so state does not grow with time", () => {
    const payer = address("ring-payer");
    const owner = address("ring-owner");
    const chain = chainWithPayerAndNode({ payer, owner, params: { metering: { batchesKept: 3 } } });
    const id = openContract(chain, payer);
    const t0 = chain.seconds;
    leasePod(chain, payer, { contractId: id, podUid: "pod-r", startedAt: t0 });
    const roots: string[] = [];
    for (let i = 0; i < 5; i++) {
      chain.endBlock(60);
      const batch = oneRecordBatch(owner, "pod-r", id, "node-a", t0 + 60 * i, t0 + 60 * (i + 1));
      roots.push(batch.root);
      chain.ok(owner, MeteringBatchMsg, batch);
    }
    const kept = chain.query<{ batches: { sequence: number; root: string }[] }>(
      `/batches/contributor/${owner}`,
    );
    expect(kept.batches.map((b) => b.sequence)).to.deep.equal([3, 4, 5]);
    expect(kept.batches.map((b) => b.root)).to.deep.equal(roots.slice(2));
    expect(chain.state.entries(`metering/batch/${owner}/`)).to.have.length(3);
    expect(chain.query<{ seconds: number; intervals: number }>("/settlement/pod/pod-r")).to.deep.include({
      seconds: 300,
      intervals: 5,
    });
    // A smaller ring (as a parameter change would set) drops the slots past it at the next batch.
    writeParams(chain.state, meteringParams, { ...readParams(chain.state, meteringParams), batchesKept: 2 });
    chain.endBlock(60);
    chain.ok(owner, MeteringBatchMsg, oneRecordBatch(owner, "pod-r", id, "node-a", t0 + 300, t0 + 360));
    expect(chain.state.entries(`metering/batch/${owner}/`)).to.have.length(2);
    const after = chain.query<{ batches: { sequence: number }[] }>(`/batches/contributor/${owner}`);
    // Until the smaller ring has turned once it holds older slots too, but never more than batchesKept records.
    expect(after.batches.map((b) => b.sequence))
      .to.include(6)
      .and.have.length(2);
  });
});
