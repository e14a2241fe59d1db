import { expect } from "chai";
import fc from "fast-check";
import {
  BankKeeper,
  FEE_POOL_KEY,
  accountKey,
  decodeAccount,
  encodeAccount,
} from "../../../../chain-sidecar/modules/bank/bank-keeper.js";
import { decodeRecord, encodeRecord } from "../../../../chain-sidecar/state/canonical-json.js";
import { StateOverlay } from "../../../../chain-sidecar/state/state-overlay.js";
import type { StateEntry, StateReader } from "../../../../chain-sidecar/state/state-access.js";

const empty: StateReader = { get: () => undefined, entries: (): StateEntry[] => [] };

describe("chain-sidecar bank: account records", () => {
  it("encodeAccount writes exactly the canonical JSON that encodeRecord writes", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString("hex")}`),
          fc.string({ unit: "binary", maxLength: 30 }),
        ),
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        (address, balance, nonce) => {
          const fast = encodeAccount({ address, balance, nonce });
          const generic = encodeRecord({ address, balance: balance.toString(), nonce });
          expect(Buffer.from(fast).toString("utf8")).to.equal(Buffer.from(generic).toString("utf8"));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a nonce that is not a safe integer, as encodeRecord does", () => {
    expect(() => encodeAccount({ address: "0x00", balance: 1n, nonce: 2 ** 53 })).to.throw("safe integer");
    expect(() => encodeAccount({ address: "0x00", balance: 1n, nonce: 1.5 })).to.throw("safe integer");
  });

  it("reads back what a random sequence of credits, debits and fees wrote, as the stored bytes say", () => {
    const bank = new BankKeeper();
    const address = fc.constantFrom("0xaa", "0xbb", "0xcc");
    const step = fc.oneof(
      fc.record({ credit: address, amount: fc.bigInt({ min: 0n, max: 10n ** 20n }) }),
      fc.record({ debit: address, amount: fc.bigInt({ min: 0n, max: 10n ** 19n }) }),
      fc.record({ fee: fc.bigInt({ min: 0n, max: 1000n }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const state = new StateOverlay(empty);
        const model = new Map<string, bigint>();
        let pool = 0n;
        for (const s of steps) {
          const layer = state.branch();
          if ("credit" in s) {
            bank.credit(layer, s.credit, s.amount);
            model.set(s.credit, (model.get(s.credit) ?? 0n) + s.amount);
          } else if ("debit" in s) {
            const held = model.get(s.debit) ?? 0n;
            if (held < s.amount) continue;
            bank.debit(layer, s.debit, s.amount, "amount");
            model.set(s.debit, held - s.amount);
          } else {
            bank.addToFeePool(layer, s.fee);
            pool += s.fee;
          }
          layer.mergeInto(state);
          // A caller changing what it read changes nothing stored.
          bank.account(state, "0xaa").balance += 1n;
        }
        for (const [who, balance] of model) {
          expect(bank.balance(state, who)).to.equal(balance);
          expect(decodeAccount(state.get(accountKey(who))!).balance).to.equal(balance);
        }
        expect(bank.feePool(state)).to.equal(pool);
        const stored = state.get(FEE_POOL_KEY);
        expect(
          stored === undefined ? 0n : BigInt((decodeRecord(stored) as { amount: string }).amount),
        ).to.equal(pool);
      }),
      { numRuns: 200 },
    );
  });
});
