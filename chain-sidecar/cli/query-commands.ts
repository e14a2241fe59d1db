// `uranus query account|validators|validator|params|supply`: read chain state from --node.
import type { Command } from "commander";
import { getAddress } from "ethers";
import { ChainClient } from "../client/chain-client.js";
import { toAccountView, toValidatorView } from "../client/chain-views.js";
import {
  collectOptions,
  isJson,
  keyringOf,
  nodeUrl,
  printFields,
  printJson,
  printTable,
  type ChainCliOptions,
} from "./cli-context.js";

/** An address, or the name of a keyring key standing for its address. */
export function resolveAccount(value: string, options: ChainCliOptions): string {
  try {
    return getAddress(value);
  } catch {
    try {
      return keyringOf(options).show(value).address;
    } catch {
      throw new Error(
        `${JSON.stringify(value)} is neither a 0x address nor the name of a key in the keyring`,
      );
    }
  }
}

export async function withClient(
  command: Command,
  run: (client: ChainClient, options: ChainCliOptions) => Promise<void>,
): Promise<void> {
  const options = collectOptions(command);
  const client = await ChainClient.connect(nodeUrl(options));
  try {
    await run(client, options);
  } finally {
    client.disconnect();
  }
}

export function registerQueryCommands(program: Command): void {
  const query = program
    .command("query")
    .description("read chain state from --node")
    .option("--keyring-dir <dir>", "keyring directory, to name accounts by key (env URANUS_KEYRING_DIR)");

  query
    .command("account")
    .description("balance and next nonce of an account")
    .argument("<address-or-key>", "0x address or keyring key name")
    .option("--prove", "verify the answer's Merkle proof against the next block's app hash")
    .action(async (who: string, opts: { prove?: boolean }, command: Command) => {
      await withClient(command, async (client, options) => {
        const address = resolveAccount(who, options);
        let account;
        let provenAt: number | undefined;
        if (opts.prove) {
          const proven = await client.queryProven(`/account/${address}`);
          account = proven.value
            ? toAccountView(proven.value as Record<string, unknown>)
            : { address: address.toLowerCase(), balance: 0n, nonce: 0 };
          provenAt = proven.height;
        } else {
          account = await client.account(address);
        }
        const staking = await client.stakingPosition(address);
        if (isJson(options)) {
          printJson({ ...account, ...(provenAt === undefined ? {} : { provenAtHeight: provenAt }), staking });
          return;
        }
        printFields([
          ["address", getAddress(account.address)],
          ["balance", account.balance],
          ["nonce", account.nonce],
          ...(provenAt === undefined
            ? []
            : [["proof", `verified at height ${provenAt}`] as [string, string]]),
          ["loans", staking.loans.map((l) => `${l.amount} to ${l.validator}`).join(", ") || "none"],
          ["votes", staking.votes.join(", ") || "none"],
          [
            "unbonding",
            staking.unbonding.map((u) => `${u.amount} at height ${u.completesAt}`).join(", ") || "none",
          ],
        ]);
      });
    });

  query
    .command("validators")
    .description("all validators, heaviest first")
    .action(async (_opts: unknown, command: Command) => {
      await withClient(command, async (client, options) => {
        const list = await client.validators();
        if (isJson(options)) {
          printJson(list);
          return;
        }
        printTable(
          ["operator", "moniker", "weight", "deposit", "lent", "votes", "power", "status"],
          list.map((v) => [
            v.operator,
            v.moniker,
            v.weight,
            v.deposit,
            v.lent,
            v.votes,
            v.power,
            v.jailed
              ? `jailed (${v.jailReason}) until ${v.jailedUntil}`
              : v.power > 0n
                ? "active"
                : "standby",
          ]),
        );
      });
    });

  query
    .command("validator")
    .description("one validator")
    .argument("<address-or-key>", "validator operator 0x address or keyring key name")
    .option("--prove", "verify the stored record's Merkle proof against the next block's app hash")
    .action(async (who: string, opts: { prove?: boolean }, command: Command) => {
      await withClient(command, async (client, options) => {
        const operator = resolveAccount(who, options);
        const view = await client.validator(operator);
        let provenAt: number | undefined;
        if (opts.prove) {
          const proven = await client.queryProven(`/validator/${operator}`);
          const stored = toValidatorView(proven.value as Record<string, unknown>, view.power);
          if (stored.deposit !== view.deposit || stored.lent !== view.lent) {
            throw new Error("the proven record differs from the listed one; the node's state moved, retry");
          }
          provenAt = proven.height;
        }
        if (isJson(options)) {
          printJson({ ...view, ...(provenAt === undefined ? {} : { provenAtHeight: provenAt }) });
          return;
        }
        printFields([
          ["operator", getAddress(view.operator)],
          ["moniker", view.moniker],
          ["consensus address", view.consensusAddress],
          ["consensus pubkey", view.consensusPubKey],
          ["deposit", view.deposit],
          ["lent", view.lent],
          ["votes", view.votes],
          ["weight", view.weight],
          ["power", view.power],
          ["jailed", view.jailed ? `yes (${view.jailReason}) until height ${view.jailedUntil}` : "no"],
          ...(provenAt === undefined
            ? []
            : [["proof", `verified at height ${provenAt}`] as [string, string]]),
        ]);
      });
    });

  query
    .command("params")
    .description("every module's chain parameters")
    .action(async (_opts: unknown, command: Command) => {
      await withClient(command, async (client, options) => {
        const params = await client.params();
        if (isJson(options)) {
          printJson(params);
          return;
        }
        const rows: [string, string, string][] = [];
        for (const module of Object.keys(params).sort()) {
          const section = params[module]!;
          for (const name of Object.keys(section).sort()) rows.push([module, name, String(section[name])]);
        }
        printTable(["module", "parameter", "value"], rows);
      });
    });

  query
    .command("supply")
    .description("total token supply")
    .action(async (_opts: unknown, command: Command) => {
      await withClient(command, async (client, options) => {
        const supply = await client.supply();
        if (isJson(options)) printJson({ supply });
        else printFields([["supply", supply]]);
      });
    });
}
