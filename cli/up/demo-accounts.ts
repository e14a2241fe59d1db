// The demo's funded accounts: the operator, a payer, and the owners of every contributor node. Keys live only here
// and in the Secrets the operator reads; they are created fresh for every run and never printed.
import { Wallet } from "ethers";
import type { GenesisAccountInput } from "../../chain-sidecar/genesis/app-state.js";

/** Each demo account starts with this many tokens: enough for every example's budget and years of fees. */
export const DEMO_BALANCE = 10n ** 15n;

export class DemoAccounts {
  readonly operator = freshWallet();
  readonly payer = freshWallet();
  private readonly owners = new Map<string, Wallet>();

  /** The demo owner that plays `role` (an example's owner address, or a demo node's name); one wallet per role. */
  owner(role: string): Wallet {
    const key = role.toLowerCase();
    let wallet = this.owners.get(key);
    if (wallet === undefined) {
      wallet = freshWallet();
      this.owners.set(key, wallet);
    }
    return wallet;
  }

  /** Owner addresses (lower case) and keys, as the operator's contributor-keys Secret holds them. */
  ownerKeys(): Record<string, string> {
    return Object.fromEntries(
      [...this.owners.values()].map((wallet) => [wallet.address.toLowerCase(), wallet.privateKey]),
    );
  }

  genesisAccounts(): GenesisAccountInput[] {
    return [this.operator, this.payer, ...this.owners.values()].map((wallet) => ({
      address: wallet.address,
      balance: DEMO_BALANCE,
    }));
  }
}

function freshWallet(): Wallet {
  return new Wallet(Wallet.createRandom().privateKey);
}
