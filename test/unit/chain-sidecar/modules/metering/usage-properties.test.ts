// Pay-for-use settlement is exact over any sequence of intervals: a pod pays ⌊price × Σ(usedMilliScu × seconds) /
// 3_600_000⌋, where usedMilliScu is computed here independently of the chain, and the escrow falls by exactly that.
import { expect } from "chai";
import fc from "fast-check";
import { MeteringBatchMsg } from "../../../../../chain-sidecar/modules/metering/metering-messages.js";
import { intervalAmount } from "../../../../../chain-sidecar/modules/metering/settlement-math.js";
import { address } from "../market/economy-harness.js";
import { batchOf, meterRecord, nodeOffer } from "../market/economy-fixtures.js";
import { chainWithPayerAndNode, leasePod, openContract } from "./contract-steps.js";

const SCU_CPU = 1000n;
const SCU_MEMORY = 2n * 1024n ** 3n;

interface Interval {
  seconds: number;
  /** Absent: the record carries no measurement. */
  usage?: { cpu: bigint; memory: bigint };
}

/** The billed milli-SCU of one record of a used contract, from the definition. */
function expectedMilliScu(scu: bigint, usage: Interval["usage"]): bigint {
  if (usage === undefined) return scu * 1000n;
  const cpu = (usage.cpu * 1000n + SCU_CPU - 1n) / SCU_CPU;
  const memory = (usage.memory * 1000n + SCU_MEMORY - 1n) / SCU_MEMORY;
  const used = cpu > memory ? cpu : memory;
  return used < scu * 1000n ? used : scu * 1000n;
}

const interval: fc.Arbitrary<Interval> = fc.record(
  {
    seconds: fc.integer({ min: 1, max: 900 }),
    usage: fc.record({
      cpu: fc.bigInt({ min: 0n, max: 9_000n }),
      memory: fc.bigInt({ min: 1n, max: 20n * 1024n ** 3n }),
    }),
  },
  { requiredKeys: ["seconds"] },
);

describe("metering: pay-for-use settlement properties", () => {
  it("pays exactly ⌊price × Σ(usedMilliScu × seconds) / 3_600_000⌋ over any sequence of intervals, as the escrow falls", () => {
    let run = 0;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(interval, { minLength: 1, maxLength: 12 }),
        (price, scu, intervals) => {
          run += 1;
          const payer = address(`usage-payer-${run}`);
          const owner = address(`usage-owner-${run}`);
          const chain = chainWithPayerAndNode({
            payer,
            owner,
            balance: 10n ** 30n,
            node: nodeOffer("node-a", { pricePerScuHour: price }),
          });
          const id = openContract(chain, payer, {
            billing: "used",
            scuPerReplica: BigInt(scu),
            maxPricePerScuHour: price,
            budget: 10n ** 25n,
          });
          const t0 = chain.seconds;
          leasePod(chain, payer, { contractId: id, podUid: "pod-p", startedAt: t0 });
          const total = intervals.reduce((sum, i) => sum + i.seconds, 0);
          chain.endBlock(total);
          const escrow = (): bigint =>
            BigInt(
              chain.query<{ contract: { escrow: { remaining: string } } }>(`/contract/${id}/view`).contract
                .escrow.remaining,
            );
          const before = escrow();
          let from = t0;
          let billed = 0n;
          for (const { seconds, usage } of intervals) {
            const record = meterRecord("pod-p", id, "node-a", from, from + seconds, {
              scu: BigInt(scu),
              cpuMillicores: usage?.cpu ?? 0n,
              memoryBytes: usage?.memory ?? 0n,
            });
            chain.ok(owner, MeteringBatchMsg, batchOf(owner, [record]));
            billed += expectedMilliScu(BigInt(scu), usage) * BigInt(seconds);
            from += seconds;
          }
          const pod = chain.query<{ charged: string; unpaid: string; billedMilliScuSeconds: string }>(
            "/settlement/pod/pod-p",
          );
          const exact = (price * billed) / 3_600_000n;
          expect(pod.billedMilliScuSeconds).to.equal(String(billed));
          expect(BigInt(pod.charged) + BigInt(pod.unpaid)).to.equal(exact);
          expect(pod.unpaid).to.equal("0");
          expect(before - escrow()).to.equal(exact);
        },
      ),
      { numRuns: 60, seed: Number(process.env.FC_SEED ?? 20261201) },
    );
  });

  it("splits of the same milli-SCU-seconds pay the same total, whatever the interval boundaries", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.array(
          fc.record({
            milli: fc.bigInt({ min: 1n, max: 1_024_000n }),
            seconds: fc.integer({ min: 1, max: 100_000 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        (price, steps) => {
          let carry = 0n;
          let paid = 0n;
          let sum = 0n;
          for (const { milli, seconds } of steps) {
            const step = intervalAmount(price, milli, BigInt(seconds), carry, 1000n);
            expect(step.carry >= 0n && step.carry < 3_600_000n).to.equal(true);
            carry = step.carry;
            paid += step.amount;
            sum += milli * BigInt(seconds);
          }
          expect(paid).to.equal((price * sum) / 3_600_000n);
        },
      ),
      { numRuns: 500 },
    );
  });
});
