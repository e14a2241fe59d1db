// Pay-for-use contracts: a "used" contract pays for the measured milli-SCU of each record (the larger share of an
// SCU's CPU or memory, at most the lease's SCU), a record without a measurement as reserved; a "reserved" contract
// pays as it always has and only keeps the usage. Escrow falls by exactly what the pod record says was charged.
import { expect } from "chai";
import type { MeterRecord } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { MeteringBatchMsg } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { address } from "../market/economy-harness.js";
import { batchOf, meterRecord } from "../market/economy-fixtures.js";
import { chainWithPayerAndNode, leasePod, openContract } from "./contract-steps.js";

const MIB = 1n << 20n;
const GIB = 1n << 30n;

interface PodJson {
  billing: string;
  seconds: number;
  measuredSeconds: number;
  cpuMilliSeconds: string;
  memoryByteSeconds: string;
  billedMilliScuSeconds: string;
  charged: string;
  fee: string;
  unpaid: string;
}

interface ContractJson {
  contract: { billing: string; escrow: { remaining: string; spent: string } };
}

/** A contract of `billing` (2 SCU per replica, node price 3600 per SCU-hour) with pod "pod-u" leased at t0. */
function usedWorld(billing: string, label: string) {
  const payer = address(`${label}-payer`);
  const owner = address(`${label}-owner`);
  const chain = chainWithPayerAndNode({ payer, owner });
  const id = openContract(chain, payer, { billing, budget: 1_000_000n });
  const t0 = chain.seconds;
  leasePod(chain, payer, { contractId: id, podUid: "pod-u", startedAt: t0 });
  const escrow = (): bigint =>
    BigInt(chain.query<ContractJson>(`/contract/${id}/view`).contract.escrow.remaining);
  /** Bills [t0+from, t0+to) with this usage; returns how much the escrow fell. */
  const bill = (from: number, to: number, usage: Partial<MeterRecord> = {}): bigint => {
    if (chain.seconds < t0 + to) chain.endBlock(t0 + to - chain.seconds);
    const before = escrow();
    chain.ok(
      owner,
      MeteringBatchMsg,
      batchOf(owner, [meterRecord("pod-u", id, "node-a", t0 + from, t0 + to, usage)]),
    );
    return before - escrow();
  };
  const pod = (): PodJson => chain.query<PodJson>("/settlement/pod/pod-u");
  return { chain, id, owner, bill, pod };
}

describe("metering: billing by measured use", () => {
  it("bills a reserved contract as always, whatever was measured, and keeps the usage", () => {
    const { chain, id, bill, pod } = usedWorld("reserved", "reserved");
    expect(bill(0, 60, { cpuMillicores: 100n, memoryBytes: 64n * MIB })).to.equal(120n);
    expect(bill(60, 90)).to.equal(60n);
    expect(pod()).to.deep.include({
      billing: "reserved",
      seconds: 90,
      measuredSeconds: 60,
      cpuMilliSeconds: String(100 * 60),
      memoryByteSeconds: String(64n * MIB * 60n),
      billedMilliScuSeconds: String(2000 * 90),
      charged: "180",
      unpaid: "0",
    });
    expect(chain.query<ContractJson>(`/contract/${id}/view`).contract.billing).to.equal("reserved");
  });

  it("bills a used contract by the larger share of CPU or memory, and the escrow falls by exactly that", () => {
    const { chain, id, owner, bill, pod } = usedWorld("used", "used");
    const ownerBefore = chain.balance(owner);
    // 500 m of 1000 m per SCU is 500 milli-SCU; 512 MiB of 2 GiB is 250: 500 × 60 s at 3600 per SCU-hour is 30.
    expect(bill(0, 60, { cpuMillicores: 500n, memoryBytes: 512n * MIB })).to.equal(30n);
    // Memory the larger share: 3 GiB is 1500 milli-SCU, × 60 s is 90.
    expect(bill(60, 120, { cpuMillicores: 10n, memoryBytes: 3n * GIB })).to.equal(90n);
    const settled = pod();
    expect(settled).to.deep.include({
      billing: "used",
      seconds: 120,
      measuredSeconds: 120,
      cpuMilliSeconds: String(500 * 60 + 10 * 60),
      memoryByteSeconds: String(512n * MIB * 60n + 3n * GIB * 60n),
      billedMilliScuSeconds: String(500 * 60 + 1500 * 60),
      charged: "120",
      unpaid: "0",
    });
    expect(chain.balance(owner) - ownerBefore).to.equal(120n - BigInt(settled.fee));
    expect(chain.query<ContractJson>(`/contract/${id}/view`).contract).to.deep.include({ billing: "used" });
  });

  it("caps a used contract's bill at the lease's reservation, however much more was used", () => {
    const { bill, pod } = usedWorld("used", "capped");
    expect(bill(0, 60, { cpuMillicores: 7_000n, memoryBytes: 1n * GIB })).to.equal(120n);
    expect(bill(60, 120, { cpuMillicores: 1n, memoryBytes: 40n * GIB })).to.equal(120n);
    expect(pod()).to.deep.include({
      billedMilliScuSeconds: String(2000 * 120),
      cpuMilliSeconds: String(7_000 * 60 + 60),
    });
  });

  it("bills a used contract's unmeasured record (a kwok pod reports nothing) as reserved", () => {
    const { bill, pod } = usedWorld("used", "unmeasured");
    expect(bill(0, 60)).to.equal(120n);
    expect(pod()).to.deep.include({
      measuredSeconds: 0,
      cpuMilliSeconds: "0",
      memoryByteSeconds: "0",
      billedMilliScuSeconds: String(2000 * 60),
      charged: "120",
    });
  });

  it("carries fractions of a token across records in milli-SCU, so the pod pays exactly ⌊price × Σ / 3_600_000⌋", () => {
    const { bill, pod } = usedWorld("used", "carry");
    // 1 milli-SCU (1 m of CPU) for 7 s at 3600 per SCU-hour is 0.007 of a token: nothing until it adds up.
    let paid = 0n;
    for (let i = 0; i < 5; i++) paid += bill(7 * i, 7 * (i + 1), { cpuMillicores: 1n, memoryBytes: 1n });
    expect(paid).to.equal(0n);
    paid += bill(35, 1035, { cpuMillicores: 1n, memoryBytes: 1n });
    paid += bill(1035, 1036);
    expect(pod().billedMilliScuSeconds).to.equal(String(1035 + 2000));
    expect(paid).to.equal((3600n * (1035n + 2000n)) / 3_600_000n);
    expect(pod().charged).to.equal(String(paid));
  });

  it("lists the usage with each settlement of a contract", () => {
    const { chain, id, bill } = usedWorld("used", "listed");
    bill(0, 60, { cpuMillicores: 250n, memoryBytes: 100n * MIB });
    const page = chain.query<{ settlements: PodJson[] }>(`/settlements/contract/${id}`);
    expect(page.settlements[0]).to.deep.include({
      billing: "used",
      measuredSeconds: 60,
      cpuMilliSeconds: String(250 * 60),
      memoryByteSeconds: String(100n * MIB * 60n),
    });
  });
});
