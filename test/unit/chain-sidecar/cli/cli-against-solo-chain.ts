// A solo chain and a throwaway keyring for tests that drive the `uranus` CLI: mocha hooks start and remove both,
// and the helpers spell the flags that every command against the node repeats.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GenesisInput } from "../../../../chain-sidecar/genesis/app-state.js";
import { runCli, type CliRun } from "../cli-runner.js";
import { startSoloChain, type SoloChain } from "../solo-chain.js";

export interface CliSetup {
  /** Prefix of the temporary folder that holds the keyring and the password file. */
  tempPrefix: string;
  password: string;
  genesis: GenesisInput;
  validatorOperator: string;
}

export interface CliAgainstChain {
  /** The temporary folder; its "password" file holds the keyring's password. */
  readonly dir: string;
  /** --keyring-dir and --password-file, as keys and tx commands take them. */
  readonly keyring: string[];
  readonly chain: SoloChain;
  /** --node and the chain's RPC address. */
  readonly node: () => string[];
  /** `uranus tx` with the keyring, signed by the key named `from`. */
  readonly tx: (args: string[], from: string) => Promise<CliRun>;
  /** `uranus query` printed as a table. */
  readonly query: (args: string[]) => Promise<CliRun>;
  /** `uranus query` printed as JSON. */
  readonly queryJson: (args: string[]) => Promise<CliRun>;
}

/** Registers the before and after hooks of the describe block it is called in. */
export function cliAgainstSoloChain(setup: CliSetup): CliAgainstChain {
  let dir: string | undefined;
  let chain: SoloChain | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the CLI fixture is used before its before hook ran");
    return value;
  };
  const fixture: CliAgainstChain = {
    get dir() {
      return started(dir);
    },
    get keyring() {
      const root = started(dir);
      return ["--keyring-dir", join(root, "keyring"), "--password-file", join(root, "password")];
    },
    get chain() {
      return started(chain);
    },
    node: () => ["--node", started(chain).rpcUrl],
    tx: (args, from) => runCli([...fixture.node(), "tx", ...fixture.keyring, ...args, "--from", from]),
    query: (args) => runCli([...fixture.node(), "query", ...args]),
    queryJson: (args) => runCli([...fixture.node(), "--output", "json", "query", ...args]),
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), setup.tempPrefix));
    writeFileSync(join(dir, "password"), `${setup.password}\n`);
    chain = await startSoloChain(setup.genesis, setup.validatorOperator);
  });

  after(async () => {
    await chain?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  return fixture;
}
