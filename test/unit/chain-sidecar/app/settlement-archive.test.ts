import { expect } from "chai";
import type { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import {
  CloseContractMsg,
  OpenContractMsg,
  RecordLeaseMsg,
} from "../../../../chain-sidecar/modules/market/market-messages.js";
import { MeteringBatchMsg } from "../../../../chain-sidecar/modules/metering/metering-messages.js";
import { RegisterNodeMsg } from "../../../../chain-sidecar/modules/poc/poc-messages.js";
import { verifyStateProof } from "../../../../chain-sidecar/query/state-proof.js";
import { AppHarness, testConsensusKey, testWallets } from "../app-harness.js";
import { genesisAccount, genesisValidator } from "../genesis-entries.js";
import { batchOf, contractTerms, meterRecord, nodeOffer } from "../modules/market/economy-fixtures.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

function eventAttribute(response: ResponseFinalizeBlock, type: string, key: string): string | undefined {
  const events = [...response.events, ...response.txResults.flatMap((r) => r.events)];
  return events.find((e) => e.type === type)?.attributes.find((a) => a.key === key)?.value;
}

interface Settlement {
  podUid: string;
  seconds: number;
  archived?: { height: number; appHash: string };
}

describe("chain-sidecar app: the archive of settlements that left state", function () {
  this.timeout(30_000);
  const { payer, owner, operator } = testWallets("archive-app", "payer", "owner", "operator");
  let harness: AppHarness;

  beforeEach(async () => {
    ({ harness } = await AppHarness.start({
      accounts: [genesisAccount(payer, 10n ** 12n), genesisAccount(owner, 10n ** 12n)],
      validators: [genesisValidator(operator, testConsensusKey("archive-app-v"), 1_000_000n)],
      params: { metering: { settlementRetentionSeconds: 100, prunePerBlock: 10 } },
    }));
  });

  afterEach(async () => {
    await harness.close();
  });

  it("answers for a pruned pod with the record as last committed, marked archived with that height and app hash, also after a restart", async () => {
    const start = 1_700_000_000_000;
    await harness.block([await harness.sign(owner, RegisterNodeMsg, nodeOffer("node-a"))], {
      timeMs: start + 1000,
    });
    const opened = await harness.block(
      [await harness.sign(payer, OpenContractMsg, contractTerms({ replicas: 1n, budget: 10n ** 9n }))],
      { timeMs: start + 2000 },
    );
    const id = eventAttribute(opened, "contract_opened", "contract")!;
    const t0 = Math.floor(start / 1000) + 3;
    const lease = {
      contractId: id,
      replica: 0n,
      nodeId: "node-a",
      podUid: "pod-archived",
      startedAt: BigInt(t0),
    };
    await harness.block([await harness.sign(payer, RecordLeaseMsg, lease)], { timeMs: t0 * 1000 });
    const batch = batchOf(owner.address.toLowerCase(), [
      meterRecord("pod-archived", id, "node-a", t0, t0 + 60),
    ]);
    await harness.block([await harness.sign(owner, MeteringBatchMsg, batch)], { timeMs: (t0 + 60) * 1000 });
    const closedAt = t0 + 61;
    await harness.block([await harness.sign(payer, CloseContractMsg, { contractId: id })], {
      timeMs: closedAt * 1000,
    });
    const before = await harness.query<Settlement>("/settlement/pod/pod-archived");
    expect(before.archived).to.equal(undefined);
    expect(harness.app.committed.get("metering/closedpod/pod-archived")).to.not.equal(undefined);
    const lastHeight = harness.height;
    const lastAppHash = hex(harness.app.committed.appHash);

    // A block with a transaction past the retention window prunes it.
    const pruning = await harness.block([await harness.sign(payer, CloseContractMsg, { contractId: id })], {
      timeMs: (closedAt + 100) * 1000,
    });
    expect(eventAttribute(pruning, "settlements_archived", "pods")).to.equal("1");
    // The close moved it to the closed settlements at once; the pruning removed it from there.
    for (const key of ["metering/pod/pod-archived", "metering/closedpod/pod-archived"])
      expect(harness.app.committed.get(key), key).to.equal(undefined);

    const archived = await harness.query<Settlement>("/settlement/pod/pod-archived");
    expect(archived).to.deep.equal({ ...before, archived: { height: lastHeight, appHash: lastAppHash } });
    const listing = await harness.query<{ settlements: Settlement[] }>(`/archive/settlements/contract/${id}`);
    expect(listing.settlements).to.deep.equal([archived]);
    await harness.restart();
    expect(await harness.query<Settlement>("/settlement/pod/pod-archived")).to.deep.equal(archived);

    // Proven, it is the record as last in state, with a proof that checks against that height's app hash.
    const provenPod = await harness.app.query({
      path: "/settlement/pod/pod-archived",
      data: new Uint8Array(),
      height: 0n,
      prove: true,
    });
    expect(provenPod.code, provenPod.log).to.equal(0);
    expect(Number(provenPod.height)).to.equal(lastHeight);
    expect(provenPod.info).to.contain(`up to height ${lastHeight}`);
    expect(JSON.parse(new TextDecoder().decode(provenPod.value))).to.deep.equal(before);
    await verifyStateProof(provenPod, Buffer.from(lastAppHash, "hex"));
    const forged = new TextEncoder().encode(JSON.stringify({ ...before, seconds: before.seconds + 1 }));
    const refused = await verifyStateProof(
      { ...provenPod, value: forged },
      Buffer.from(lastAppHash, "hex"),
    ).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(refused?.message).to.contain("differs from the answer");
    const proven = await harness.app.query({
      path: `/archive/settlements/contract/${id}`,
      data: new Uint8Array(),
      height: 0n,
      prove: true,
    });
    expect(proven.log).to.contain("archive, not state");
  });

  it("still says a pod never settled has no settlement", async () => {
    await harness.block([await harness.sign(owner, RegisterNodeMsg, nodeOffer("node-a"))]);
    const r = await harness.app.query({
      path: "/settlement/pod/pod-unknown",
      data: new Uint8Array(),
      height: 0n,
      prove: false,
    });
    expect(r.code).to.not.equal(0);
    expect(r.log).to.contain("has no settlement");
  });
});
