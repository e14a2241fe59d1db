// Any interleaving of operator crashes, resends, reordering and delays: the chain opens one contract per
// ComputeContract, records one lease per pod and one breach per pod and kind, and bills no second twice.
import { expect } from "chai";
import fc from "fast-check";
import {
  OpenContractMsg,
  RecordBreachMsg,
  RecordLeaseMsg,
} from "../../../../../chain-sidecar/modules/market/market-messages.js";
import { contractIdFor } from "../../../../../chain-sidecar/modules/market/market-records.js";
import {
  MeteringBatchMsg,
  type MeterRecord,
} from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { RegisterNodeMsg } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import type { MessageSpec } from "../../../../../chain-sidecar/tx/message-spec.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { EconomyChain, address, auditEconomy } from "./economy-harness.js";
import { batchOf, contractTerms, meterRecord, nodeOffer } from "./economy-fixtures.js";

const payer = address("payer");
const owner = address("owner");
const BUDGET = 10_000_000n;
const UIDS = ["cc-a", "cc-b", "cc-c"];
const REPLICAS = 2;

interface Sent {
  spec: MessageSpec<unknown>;
  message: unknown;
  sender: string;
}

type Step =
  | { kind: "open"; cc: number }
  | { kind: "lease"; cc: number; replica: number }
  | { kind: "meter"; cc: number; replica: number; seconds: number }
  | { kind: "breach"; cc: number; replica: number }
  | { kind: "deliver"; pick: number }
  | { kind: "resend"; pick: number }
  | { kind: "crash" }
  | { kind: "tick"; seconds: number };

const cc = fc.nat(UIDS.length - 1);
const replica = fc.nat(REPLICAS - 1);
const weighted = (arbitrary: fc.Arbitrary<Step>, weight: number) => ({ arbitrary, weight });

// Weighted so that most runs get contracts opened, pods leased and billed before the disorder sets in.
const step: fc.Arbitrary<Step> = fc.oneof(
  weighted(fc.record({ kind: fc.constant("open" as const), cc }), 1),
  weighted(fc.record({ kind: fc.constant("lease" as const), cc, replica }), 2),
  weighted(
    fc.record({ kind: fc.constant("meter" as const), cc, replica, seconds: fc.integer({ min: 1, max: 20 }) }),
    4,
  ),
  weighted(fc.record({ kind: fc.constant("breach" as const), cc, replica }), 1),
  weighted(fc.record({ kind: fc.constant("deliver" as const), pick: fc.nat() }), 6),
  weighted(fc.record({ kind: fc.constant("resend" as const), pick: fc.nat() }), 2),
  weighted(fc.constant({ kind: "crash" as const }), 1),
  weighted(fc.record({ kind: fc.constant("tick" as const), seconds: fc.integer({ min: 1, max: 30 }) }), 3),
);

const podOf = (cc: number, replica: number): string => `${UIDS[cc]}-pod-${replica}`;
const idOf = (cc: number): string => contractIdFor(payer, "", UIDS[cc]!);

/** The operator as the chain sees it: it forgets on a crash, reads the chain again, and resends at will. */
class CrashingOperator {
  /** Messages sent and not yet in a block, in no particular order (the network and mempools reorder). */
  readonly inFlight: Sent[] = [];
  readonly everSent: Sent[] = [];
  /** Where the operator believes each pod's billing stands; lost on a crash, re-read from chain. */
  private billedTo = new Map<string, number>();
  /** Records the chain took, per pod. */
  readonly accepted = new Map<string, [number, number][]>();
  /** How often the chain accepted each opening, lease and breach, by what it stands for. */
  readonly applied = new Map<string, number>();

  constructor(private readonly chain: EconomyChain) {}

  private send(sent: Sent): void {
    this.inFlight.push(sent);
    this.everSent.push(sent);
  }

  private leaseStart(pod: string): number | undefined {
    try {
      return this.chain.query<{ startedAt: number }>(`/lease/${pod}`).startedAt;
    } catch {
      return undefined;
    }
  }

  private opened(cc: number): boolean {
    try {
      this.chain.query(`/contract/${idOf(cc)}`);
      return true;
    } catch {
      return false;
    }
  }

  private chainBilledTo(pod: string): number | undefined {
    try {
      return this.chain.query<{ billedTo: number }>(`/settlement/pod/${pod}`).billedTo;
    } catch {
      return undefined;
    }
  }

  run(s: Step): void {
    const chain = this.chain;
    switch (s.kind) {
      case "open":
        this.send({
          spec: OpenContractMsg,
          message: contractTerms({ clientRef: UIDS[s.cc]!, budget: BUDGET, replicas: BigInt(REPLICAS) }),
          sender: payer,
        });
        return;
      case "lease":
        // As the operator does: a lease is recorded once the contract is seen on chain.
        if (!this.opened(s.cc)) return;
        this.send({
          spec: RecordLeaseMsg,
          message: {
            contractId: idOf(s.cc),
            replica: BigInt(s.replica),
            nodeId: `node-${s.replica}`,
            podUid: podOf(s.cc, s.replica),
            startedAt: BigInt(chain.seconds),
          },
          sender: payer,
        });
        return;
      case "meter": {
        const pod = podOf(s.cc, s.replica);
        const start = this.leaseStart(pod);
        if (start === undefined) return;
        const from = this.billedTo.get(pod) ?? this.chainBilledTo(pod) ?? start;
        const to = Math.min(from + s.seconds, chain.seconds);
        if (to <= from) return;
        // Optimistic, as a pipelined sender is: the next record follows this one before it is seen committed.
        this.billedTo.set(pod, to);
        const record: MeterRecord = meterRecord(pod, idOf(s.cc), `node-${s.replica}`, from, to, {
          replica: BigInt(s.replica),
        });
        this.send({
          spec: MeteringBatchMsg,
          message: batchOf(owner, [record]),
          sender: owner,
        });
        return;
      }
      case "breach":
        this.send({
          spec: RecordBreachMsg,
          message: {
            contractId: idOf(s.cc),
            replica: BigInt(s.replica),
            nodeId: `node-${s.replica}`,
            podUid: podOf(s.cc, s.replica),
            kind: "availability",
            seconds: 5n,
          },
          sender: payer,
        });
        return;
      case "deliver": {
        if (this.inFlight.length === 0) return;
        const [sent] = this.inFlight.splice(s.pick % this.inFlight.length, 1);
        this.deliver(sent!);
        return;
      }
      case "resend":
        if (this.everSent.length > 0) this.inFlight.push(this.everSent[s.pick % this.everSent.length]!);
        return;
      case "crash":
        this.billedTo = new Map();
        return;
      case "tick":
        chain.endBlock(s.seconds);
        return;
    }
  }

  deliver(sent: Sent): void {
    const result = this.chain.deliver(sent.sender, sent.spec, sent.message);
    if (result.code !== ResultCode.OK) return;
    const m = sent.message as { clientRef?: string; podUid?: string; kind?: string };
    const key =
      sent.spec === (OpenContractMsg as MessageSpec<unknown>)
        ? `open ${m.clientRef}`
        : sent.spec === (RecordLeaseMsg as MessageSpec<unknown>)
          ? `lease ${m.podUid}`
          : sent.spec === (RecordBreachMsg as MessageSpec<unknown>)
            ? `breach ${m.podUid} ${m.kind}`
            : undefined;
    if (key !== undefined) this.applied.set(key, (this.applied.get(key) ?? 0) + 1);
    if (sent.spec !== (MeteringBatchMsg as MessageSpec<unknown>)) return;
    for (const record of (sent.message as { records: MeterRecord[] }).records) {
      const list = this.accepted.get(record.podUid) ?? [];
      list.push([Number(record.fromTime), Number(record.toTime)]);
      this.accepted.set(record.podUid, list);
    }
  }
}

interface ContractView {
  id: string;
  clientRef: string;
  escrow: { deposited: string };
  leasesTotal: number;
  breaches: number;
}

describe("exactly once on chain: crashes, resends and reordering never open, lease, breach or bill twice", () => {
  it("holds for any interleaving (property)", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 40, maxLength: 200, size: "max" }), (steps) => {
        const chain = new EconomyChain({ accounts: [{ address: payer, balance: 10n * BUDGET }] });
        for (let r = 0; r < REPLICAS; r++) chain.ok(owner, RegisterNodeMsg, nodeOffer(`node-${r}`));
        const operator = new CrashingOperator(chain);
        for (const s of steps) operator.run(s);
        while (operator.inFlight.length > 0) operator.deliver(operator.inFlight.shift()!);

        const contracts = chain.query<ContractView[]>(`/contracts/payer/${payer}`);
        const refs = contracts.map((c) => c.clientRef);
        expect(new Set(refs).size, "one chain contract per ComputeContract").to.equal(refs.length);
        for (const c of contracts) {
          expect(c.id).to.equal(contractIdFor(payer, "", c.clientRef));
          expect(c.escrow.deposited).to.equal(BUDGET.toString());
        }
        expect(chain.balance(payer)).to.equal(10n * BUDGET - BigInt(contracts.length) * BUDGET);

        for (const c of contracts) {
          const cc = UIDS.indexOf(c.clientRef);
          const pods = Array.from({ length: REPLICAS }, (_, r) => podOf(cc, r));
          const leased = pods.filter((pod) => {
            try {
              return chain.query<{ contractId: string }>(`/lease/${pod}`).contractId === c.id;
            } catch {
              return false;
            }
          });
          expect(c.leasesTotal, `leases of ${c.clientRef}`).to.equal(leased.length);
          const breached = pods.filter((pod) => operator.applied.has(`breach ${pod} availability`));
          expect(c.breaches, `breaches of ${c.clientRef}`).to.equal(breached.length);
        }
        for (const [key, times] of operator.applied) expect(times, `${key} applied`).to.equal(1);

        for (const [pod, intervals] of operator.accepted) {
          const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
          for (let i = 1; i < sorted.length; i++)
            expect(sorted[i]![0], `${pod} billed a second twice`).to.be.at.least(sorted[i - 1]![1]);
          const settled = chain.query<{ seconds: number; billedTo: number }>(`/settlement/pod/${pod}`);
          expect(settled.seconds).to.equal(sorted.reduce((sum, [from, to]) => sum + to - from, 0));
          expect(settled.billedTo).to.equal(sorted[sorted.length - 1]![1]);
        }
        const audit = auditEconomy(chain.state);
        expect(audit.negatives).to.deep.equal([]);
        expect(audit.held).to.equal(audit.supply);
      }),
      { numRuns: 300, seed: 20261203 },
    );
  });
});
