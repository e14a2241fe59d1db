// `uranus keys create|import|list|show`: the local keyring of signing keys.
import { readFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { scryptNArgument } from "./cli-arguments.js";
import { collectOptions, isJson, keyringOf, printJson, printTable, readPassword } from "./cli-context.js";
import { DEFAULT_SCRYPT_N, type KeyInfo } from "./keyring.js";

function printKey(command: Command, key: KeyInfo): void {
  if (isJson(collectOptions(command))) printJson(key);
  else printTable(["name", "address"], [[key.name, key.address]]);
}

function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

export function registerKeysCommands(program: Command): void {
  const keys = program
    .command("keys")
    .description("manage the local keyring of secp256k1 signing keys (encrypted JSON keystores)")
    .option("--keyring-dir <dir>", "keyring directory (env URANUS_KEYRING_DIR, default ~/.uranus/keyring)")
    .option(
      "--password-file <path>",
      "file whose first line is the keyring password (or env URANUS_KEYRING_PASSWORD)",
    );
  const scryptN = new Option("--scrypt-n <n>", "scrypt work factor of the keystore encryption")
    .argParser(scryptNArgument)
    .default(DEFAULT_SCRYPT_N);

  keys
    .command("create")
    .description("create a new random key")
    .argument("<name>", "name of the key")
    .addOption(scryptN)
    .action(async (name: string, opts: { scryptN: number }, command: Command) => {
      const options = collectOptions(command);
      printKey(command, await keyringOf(options).create(name, readPassword(options), opts.scryptN));
    });

  keys
    .command("import")
    .description("import a private key or a BIP-39 mnemonic from a file (never from the command line)")
    .argument("<name>", "name of the key")
    .option("--private-key-file <path>", "file holding a 0x-prefixed 32-byte hex private key")
    .option("--mnemonic-file <path>", "file holding a BIP-39 mnemonic (first Ethereum account is used)")
    .addOption(scryptN)
    .action(
      async (
        name: string,
        opts: { privateKeyFile?: string; mnemonicFile?: string; scryptN: number },
        command: Command,
      ) => {
        const sources = [opts.privateKeyFile, opts.mnemonicFile].filter((s) => s !== undefined);
        if (sources.length !== 1)
          throw new Error("give exactly one of --private-key-file or --mnemonic-file");
        const secret = opts.privateKeyFile
          ? readSecretFile(opts.privateKeyFile, "--private-key-file")
          : readSecretFile(opts.mnemonicFile!, "--mnemonic-file");
        const options = collectOptions(command);
        printKey(command, await keyringOf(options).import(name, secret, readPassword(options), opts.scryptN));
      },
    );

  keys
    .command("list")
    .description("list the keys and their addresses")
    .action((_opts: unknown, command: Command) => {
      const options = collectOptions(command);
      const list = keyringOf(options).list();
      if (isJson(options)) printJson(list);
      else if (list.length === 0) process.stdout.write(`no keys in ${keyringOf(options).dir}\n`);
      else
        printTable(
          ["name", "address"],
          list.map((k) => [k.name, k.address]),
        );
    });

  keys
    .command("show")
    .description("show a key's address")
    .argument("<name>", "name of the key")
    .action((name: string, _opts: unknown, command: Command) => {
      printKey(command, keyringOf(collectOptions(command)).show(name));
    });
}
