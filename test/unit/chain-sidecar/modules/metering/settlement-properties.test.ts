import { expect } from "chai";
import fc from "fast-check";
import {
  CloseContractMsg,
  EndLeaseMsg,
  OpenContractMsg,
  RecordLeaseMsg,
  TopUpContractMsg,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { MeteringBatchMsg } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { intervalAmount } from "../../../../../chain-sidecar/modules/metering/settlement-math.js";
import { RegisterNodeMsg } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { EconomyChain, address, auditEconomy } from "../market/economy-harness.js";
import { batchOf, contractTerms, meterRecord, nodeOffer, openedId } from "../market/economy-fixtures.js";

const payers = [address("payer-0"), address("payer-1")];
const owners = [address("owner-0"), address("owner-1"), address("owner-2")];
const nodes = [
  { nodeId: "node-0", owner: owners[0]!, price: 3_600n },
  { nodeId: "node-1", owner: owners[1]!, price: 1_234n },
  { nodeId: "node-2", owner: owners[2]!, price: 7n },
  { nodeId: "node-3", owner: owners[0]!, price: 5_000n },
];

type Command =
  | {
      kind: "open";
      payer: number;
      scu: number;
      replicas: number;
      maxPrice: number;
      budget: number;
      duration: number;
    }
  | { kind: "topUp"; contract: number; sender: number; amount: number }
  | { kind: "close"; contract: number; sender: number }
  | { kind: "lease"; contract: number; replica: number; node: number }
  | { kind: "end"; pod: number; outcome: "completed" | "migrated" | "failed" }
  | { kind: "meter"; pods: { pod: number; offset: number; length: number }[]; signer: number }
  | { kind: "advance"; seconds: number };

const openCommand: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant("open" as const),
  payer: fc.nat(1),
  scu: fc.integer({ min: 1, max: 4 }),
  replicas: fc.integer({ min: 1, max: 3 }),
  maxPrice: fc.integer({ min: 1, max: 8_000 }),
  budget: fc.integer({ min: 0, max: 2_500 }),
  duration: fc.integer({ min: 300, max: 20_000 }),
});

/** Weights keep most runs busy with leases and metering; closes are rare so contracts live long enough to run dry. */
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: openCommand, weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant("topUp" as const),
      contract: fc.nat(7),
      sender: fc.nat(1),
      amount: fc.nat(2_000),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("close" as const), contract: fc.nat(7), sender: fc.nat(1) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("lease" as const),
      contract: fc.nat(7),
      replica: fc.nat(3),
      node: fc.nat(3),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("end" as const),
      pod: fc.nat(11),
      outcome: fc.constantFrom("completed" as const, "migrated" as const, "failed" as const),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("meter" as const),
      pods: fc.array(
        fc.record({
          pod: fc.nat(11),
          // Mostly the next interval; sometimes a gap, an overlap or a repeat.
          offset: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, fc.integer({ min: -90, max: 60 })),
          length: fc.integer({ min: 1, max: 120 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      // −1: the owner of the first chosen pod; otherwise a given owner (possibly the wrong one).
      signer: fc.oneof({ arbitrary: fc.constant(-1), weight: 4 }, fc.nat(2)),
    }),
    weight: 10,
  },
  { arbitrary: fc.constant<Command>({ kind: "advance", seconds: 60 }), weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      seconds: fc.integer({ min: 1, max: 400 }),
    }),
    weight: 1,
  },
);

interface PodModel {
  podUid: string;
  contractId: string;
  replica: number;
  node: (typeof nodes)[number];
  scu: number;
  startedAt: number;
  /** Accepted intervals [from, to). */
  intervals: [number, number][];
}

interface PodSettlementJson {
  seconds: number;
  charged: string;
  unpaid: string;
  pricePerScuHour: string;
  scu: number;
  billedTo: number;
}

/** What the generated runs exercised, so the properties are known not to hold vacuously. */
const exercised = { leases: 0, batches: 0, doubleBilled: 0, paused: 0, shortfalls: 0, closed: 0 };

function run(commands: Command[]): void {
  const chain = new EconomyChain({
    accounts: payers.map((p) => ({ address: p, balance: 500_000n })),
    params: { metering: { feeBps: 250 }, poc: { heartbeatWindowBlocks: 1_000_000 } },
  });
  for (const n of nodes)
    chain.ok(n.owner, RegisterNodeMsg, nodeOffer(n.nodeId, { pricePerScuHour: n.price }));
  const contracts: { id: string; payer: string; scu: number; replicas: number }[] = [];
  const pods: PodModel[] = [];
  let podCount = 0;
  // Indices pick among what exists so far, so most commands act on a real contract or pod.
  const pick = <T>(list: readonly T[], index: number): T | undefined =>
    list[index % Math.max(1, list.length)];

  for (const c of commands) {
    switch (c.kind) {
      case "open": {
        const result = chain.deliver(
          payers[c.payer]!,
          OpenContractMsg,
          contractTerms({
            scuPerReplica: BigInt(c.scu),
            replicas: BigInt(c.replicas),
            maxPricePerScuHour: BigInt(c.maxPrice),
            budget: BigInt(c.budget),
            durationSeconds: BigInt(c.duration),
          }),
        );
        if (result.code === ResultCode.OK)
          contracts.push({
            id: openedId(result.events),
            payer: payers[c.payer]!,
            scu: c.scu,
            replicas: c.replicas,
          });
        break;
      }
      case "topUp": {
        const target = pick(contracts, c.contract);
        if (target)
          chain.deliver(payers[c.sender]!, TopUpContractMsg, {
            contractId: target.id,
            amount: BigInt(c.amount),
          });
        break;
      }
      case "close": {
        const target = pick(contracts, c.contract);
        if (
          target &&
          chain.deliver(payers[c.sender]!, CloseContractMsg, { contractId: target.id }).code === 0
        )
          exercised.closed += 1;
        break;
      }
      case "lease": {
        const target = pick(contracts, c.contract);
        if (!target) break;
        const podUid = `pod-${podCount++}`;
        const node = nodes[c.node]!;
        const result = chain.deliver(target.payer, RecordLeaseMsg, {
          contractId: target.id,
          replica: BigInt(c.replica % target.replicas),
          nodeId: node.nodeId,
          podUid,
          startedAt: BigInt(chain.seconds),
        });
        if (result.code === ResultCode.OK) {
          exercised.leases += 1;
          pods.push({
            podUid,
            contractId: target.id,
            replica: c.replica % target.replicas,
            node,
            scu: target.scu,
            startedAt: chain.seconds,
            intervals: [],
          });
        }
        break;
      }
      case "end": {
        const pod = pick(pods, c.pod);
        if (!pod) break;
        const billedTo = pod.intervals.at(-1)?.[1] ?? pod.startedAt;
        const payer = contracts.find((k) => k.id === pod.contractId)!.payer;
        chain.deliver(payer, EndLeaseMsg, {
          contractId: pod.contractId,
          podUid: pod.podUid,
          endedAt: BigInt(Math.max(billedTo, chain.seconds)),
          outcome: c.outcome,
        });
        break;
      }
      case "meter": {
        const chosen = c.pods.flatMap((p) => {
          const model = pick(pods, p.pod);
          return model ? [{ ...p, model }] : [];
        });
        const signer = c.signer < 0 ? chosen[0]?.model.node.owner : owners[c.signer];
        const byOwner = chosen.filter((p) => p.model.node.owner === signer);
        if (signer === undefined || byOwner.length === 0) break;
        const planned = new Map<string, number>();
        const records = byOwner.map(({ model, offset, length }) => {
          const last = planned.get(model.podUid) ?? model.intervals.at(-1)?.[1] ?? model.startedAt;
          const from = Math.max(0, last + offset);
          planned.set(model.podUid, from + length);
          return meterRecord(model.podUid, model.contractId, model.node.nodeId, from, from + length, {
            replica: BigInt(model.replica),
            scu: BigInt(model.scu),
          });
        });
        const result = chain.deliver(signer, MeteringBatchMsg, batchOf(signer, records));
        if (result.code === ResultCode.DOUBLE_BILLED) exercised.doubleBilled += 1;
        if (result.events.some((e) => e.type === "contract_paused")) exercised.paused += 1;
        if (result.code === ResultCode.OK) {
          exercised.batches += 1;
          const batch = result.events.find((e) => e.type === "metering_batch")!;
          if (batch.attributes.some(([k, v]) => k === "unpaid" && v !== "0")) exercised.shortfalls += 1;
          for (const r of records) {
            const model = pods.find((p) => p.podUid === r.podUid)!;
            const from = Number(r.fromTime);
            // No second billed twice: an accepted record starts at or after everything billed before.
            for (const [, to] of model.intervals) expect(from, `${r.podUid} billed twice`).to.be.at.least(to);
            model.intervals.push([from, Number(r.toTime)]);
          }
        } else {
          const overlaps = records.some((r) => {
            const model = pods.find((p) => p.podUid === r.podUid)!;
            return model.intervals.some(([a, b]) => Number(r.fromTime) < b && a < Number(r.toTime));
          });
          if (overlaps && result.code !== ResultCode.DOUBLE_BILLED) {
            // An overlap may be reported under another failing check (closed contract, lease end), never accepted.
            expect(result.code).to.be.oneOf([ResultCode.WRONG_STATE, ResultCode.INVALID_FIELD]);
          }
        }
        break;
      }
      case "advance":
        chain.endBlock(c.seconds);
        break;
    }

    const audit = auditEconomy(chain.state);
    expect(audit.negatives, "nothing negative").to.deep.equal([]);
    expect(audit.held, "supply conserved").to.equal(audit.supply);
  }

  for (const pod of pods) {
    const seconds = pod.intervals.reduce((sum, [a, b]) => sum + (b - a), 0);
    if (pod.intervals.length === 0) continue;
    const settled = chain.query<PodSettlementJson>(`/settlement/pod/${pod.podUid}`);
    expect(settled.seconds).to.equal(seconds);
    const exact = (BigInt(settled.pricePerScuHour) * BigInt(settled.scu) * BigInt(seconds)) / 3600n;
    expect(BigInt(settled.charged) + BigInt(settled.unpaid), `settlement of ${pod.podUid}`).to.equal(exact);
    expect(BigInt(settled.pricePerScuHour)).to.equal(pod.node.price);
  }
}

describe("metering: settlement properties over any sequence of market and metering transactions", () => {
  it("conserves supply, keeps escrow ≥ 0, never bills a second twice, and settles each pod at exactly ⌊price × SCU × seconds / 3600⌋", () => {
    fc.assert(
      fc.property(
        fc.array(openCommand, { minLength: 1, maxLength: 3 }),
        fc.array(command, { minLength: 20, maxLength: 60, size: "max" }),
        (opens, rest) => run([...opens, ...rest]),
      ),
      // A fixed seed keeps the coverage checks below reproducible; FC_SEED explores other sequences.
      { numRuns: 150, seed: Number(process.env.FC_SEED ?? 20261124) },
    );
    expect(exercised.leases, JSON.stringify(exercised)).to.be.greaterThan(200);
    expect(exercised.batches, JSON.stringify(exercised)).to.be.greaterThan(200);
    for (const [path, count] of Object.entries(exercised)) expect(count, path).to.be.greaterThan(0);
  });

  it("splits of the same metered seconds pay the same total, whatever the interval boundaries", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.bigInt({ min: 1n, max: 1024n }),
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 40 }),
        (price, scu, lengths) => {
          let carry = 0n;
          let paid = 0n;
          for (const length of lengths) {
            const step = intervalAmount(price, scu, BigInt(length), carry);
            expect(step.carry >= 0n && step.carry < 3600n).to.equal(true);
            carry = step.carry;
            paid += step.amount;
          }
          const seconds = BigInt(lengths.reduce((a, b) => a + b, 0));
          expect(paid).to.equal((price * scu * seconds) / 3600n);
        },
      ),
      { numRuns: 500 },
    );
  });
});
