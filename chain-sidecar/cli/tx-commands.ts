// `uranus tx send|register-validator|lend|vote|unbond|unjail`: sign with a keyring key and broadcast to a node.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { ChainClient, type SubmitOptions, type TxOutcome } from "../client/chain-client.js";
import { consensusPubKeyFromPrivValidatorKey } from "../genesis/app-state.js";
import type { MessageSpec } from "../tx/message-spec.js";
import type { TypedDataSigner } from "../tx/signing.js";
import { addressArgument, amountArgument, base64KeyArgument, nonceArgument } from "./cli-arguments.js";
import {
  collectOptions,
  isJson,
  keyringOf,
  nodeUrl,
  printFields,
  printJson,
  readPassword,
} from "./cli-context.js";

interface SigningOptions {
  from: string;
  nonce?: number;
  async?: boolean;
}

export type Submit = (
  client: ChainClient,
  signer: TypedDataSigner,
  options: SubmitOptions,
) => Promise<TxOutcome>;

export function signingCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .requiredOption("--from <key>", "name of the keyring key that signs and pays the fee")
    .option("--nonce <n>", "use this nonce instead of the account's next one", nonceArgument)
    .option("--async", "return once the mempool accepted the transaction instead of waiting for its block");
}

/**
 * The action of a command that signs one message built from its arguments and options (commander passes them in
 * declaration order, then the command itself).
 */
export function sendsMessage<T, A extends unknown[]>(
  spec: MessageSpec<T>,
  build: (...values: A) => T,
): (...values: [...A, Command]) => Promise<void> {
  return async (...values) => {
    const command = values.at(-1) as Command;
    const message = build(...(values.slice(0, -1) as A));
    await signAndSend(command, spec.primaryType, (c, s, o) => c.submit(s, spec, message, o));
  };
}

/** `extra` adds fields a command learns from the outcome (e.g. the id of what it created). */
export async function signAndSend(
  command: Command,
  what: string,
  submit: Submit,
  extra: (outcome: TxOutcome, sender: string) => [string, string][] = () => [],
): Promise<void> {
  const options = collectOptions(command);
  const own = command.opts<SigningOptions>();
  const signer = await keyringOf(options).unlock(own.from, readPassword(options));
  const client = await ChainClient.connect(nodeUrl(options));
  try {
    const outcome = await submit(client, signer, {
      mode: own.async ? "sync" : "commit",
      ...(own.nonce === undefined ? {} : { nonce: own.nonce }),
    });
    const added = extra(outcome, signer.address);
    const summary = { type: what, from: signer.address, ...Object.fromEntries(added), ...outcome };
    if (isJson(options)) {
      printJson(summary);
      return;
    }
    printFields([
      ["tx", outcome.hash],
      ["type", what],
      ["from", signer.address],
      ["nonce", outcome.nonce],
      [
        "status",
        outcome.height === undefined ? "accepted into the mempool" : `committed in block ${outcome.height}`,
      ],
      ...added,
    ]);
  } finally {
    client.disconnect();
  }
}

function consensusKeyFrom(opts: { consensusPubkey?: string; privValidatorKey?: string }): string {
  if ((opts.consensusPubkey === undefined) === (opts.privValidatorKey === undefined)) {
    throw new Error("give exactly one of --consensus-pubkey or --priv-validator-key");
  }
  if (opts.consensusPubkey !== undefined) return opts.consensusPubkey;
  let text: string;
  try {
    text = readFileSync(opts.privValidatorKey!, "utf8");
  } catch (error) {
    throw new Error(
      `cannot read --priv-validator-key ${opts.privValidatorKey}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
    );
  }
  return consensusPubKeyFromPrivValidatorKey(text);
}

export function registerTxCommands(program: Command): void {
  const tx = program
    .command("tx")
    .description("sign a transaction with a keyring key and broadcast it to --node")
    .option("--keyring-dir <dir>", "keyring directory (env URANUS_KEYRING_DIR, default ~/.uranus/keyring)")
    .option(
      "--password-file <path>",
      "file whose first line is the keyring password (or env URANUS_KEYRING_PASSWORD)",
    );

  signingCommand(tx, "send", "transfer tokens")
    .argument("<to>", "recipient 0x address", addressArgument)
    .argument("<amount>", "amount in the smallest unit", amountArgument)
    .action(async (to: string, amount: bigint, _opts: unknown, command: Command) => {
      await signAndSend(command, "Transfer", (c, s, o) => c.transfer(s, to, amount, o));
    });

  signingCommand(tx, "register-validator", "register the signing account as a validator with a deposit")
    .requiredOption(
      "--deposit <amount>",
      "own deposit in the smallest unit (at least the minDeposit param)",
      amountArgument,
    )
    .option("--consensus-pubkey <base64>", "ed25519 consensus public key in base64", base64KeyArgument)
    .option("--priv-validator-key <path>", "read the public key from CometBFT's priv_validator_key.json")
    .option("--moniker <name>", "display name", "")
    .action(
      async (
        opts: { deposit: bigint; consensusPubkey?: string; privValidatorKey?: string; moniker: string },
        command: Command,
      ) => {
        const key = consensusKeyFrom(opts);
        const consensusPubKey = `0x${Buffer.from(key, "base64").toString("hex")}`;
        await signAndSend(command, "RegisterValidator", (c, s, o) =>
          c.registerValidator(s, { consensusPubKey, deposit: opts.deposit, moniker: opts.moniker }, o),
        );
      },
    );

  signingCommand(tx, "lend", "lend to a validator (to your own validator: add to its deposit)")
    .argument("<validator>", "validator operator 0x address", addressArgument)
    .argument("<amount>", "amount in the smallest unit", amountArgument)
    .action(async (validator: string, amount: bigint, _opts: unknown, command: Command) => {
      await signAndSend(command, "Lend", (c, s, o) => c.lend(s, validator, amount, o));
    });

  signingCommand(
    tx,
    "vote",
    "vote for validators with your balance, split evenly; no validators withdraws your votes",
  )
    .argument("[validators...]", "validator operator 0x addresses")
    .action(async (validators: string[], _opts: unknown, command: Command) => {
      const checked = validators.map((v) => addressArgument(v));
      await signAndSend(command, "Vote", (c, s, o) => c.vote(s, checked, o));
    });

  signingCommand(
    tx,
    "unbond",
    "start returning a loan (or your validator's deposit) after the unbonding period",
  )
    .argument("<validator>", "validator operator 0x address", addressArgument)
    .argument("<amount>", "amount in the smallest unit", amountArgument)
    .action(async (validator: string, amount: bigint, _opts: unknown, command: Command) => {
      await signAndSend(command, "Unbond", (c, s, o) => c.unbond(s, validator, amount, o));
    });

  signingCommand(tx, "unjail", "bring your jailed validator back after its jail period").action(
    async (_opts: unknown, command: Command) => {
      await signAndSend(command, "Unjail", (c, s, o) => c.unjail(s, o));
    },
  );
}
