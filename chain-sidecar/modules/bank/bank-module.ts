// The bank module: genesis accounts, transfers, account/supply/fee-pool queries.
import type { StateWriter } from "../../state/state-access.js";
import { invalidField } from "../../tx/tx-error.js";
import { handles, recordQuery, type ChainModule } from "../chain-module.js";
import { parseAddress, parseAmount } from "../field-parsers.js";
import { checkTransfer } from "./bank-checks.js";
import { TransferMsg } from "./bank-messages.js";
import { FEE_POOL_KEY, SUPPLY_KEY, accountKey, type BankKeeper } from "./bank-keeper.js";
import { bankParams } from "./bank-params.js";

function initAccounts(state: StateWriter, keeper: BankKeeper, raw: unknown): void {
  if (raw === undefined) return;
  if (!Array.isArray(raw)) throw invalidField("genesis.accounts", "expected a list");
  const seen = new Set<string>();
  raw.forEach((entry: unknown, i) => {
    const path = `genesis.accounts[${i}]`;
    if (typeof entry !== "object" || entry === null)
      throw invalidField(path, "expected { address, balance }");
    const { address, balance } = entry as Record<string, unknown>;
    const owner = parseAddress(address, `${path}.address`);
    if (seen.has(owner)) throw invalidField(`${path}.address`, `${owner} is listed twice`);
    seen.add(owner);
    keeper.mint(state, owner, parseAmount(balance, `${path}.balance`));
  });
}

/** The bank module over the app's one bank keeper. */
export function bankModule(bank: BankKeeper): ChainModule {
  return {
    name: "bank",
    params: bankParams,
    messages: [
      handles(TransferMsg, (ctx, msg) => {
        checkTransfer(msg);
        bank.transfer(ctx.state, ctx.sender, msg.to, msg.amount, "Transfer.amount");
        ctx.emit("transfer", { from: ctx.sender, to: msg.to, amount: msg.amount });
      }),
    ],
    initGenesis(ctx, appState) {
      initAccounts(ctx.state, bank, appState.accounts);
    },
    queries: [
      recordQuery("/account/:address", "an account's balance and next nonce (provable)", (params) => {
        const address = parseAddress(params.address, "address");
        return { stateKey: accountKey(address), fallback: { address, balance: "0", nonce: 0 } };
      }),
      recordQuery("/supply", "total supply (provable)", () => ({
        stateKey: SUPPLY_KEY,
        fallback: { amount: "0" },
      })),
      recordQuery(
        "/fee-pool",
        "fees and slashed deposits waiting for the next epoch's payout to validators (provable)",
        () => ({ stateKey: FEE_POOL_KEY, fallback: { amount: "0" } }),
      ),
    ],
  };
}
