// A CometBFT home directory: created by the real `cometbft init`, then read for its node id and validator key.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { binaryPath } from "../../process/binaries.js";
import { run } from "../../process/run-command.js";

export const homePaths = (home: string) => ({
  genesis: join(home, "config", "genesis.json"),
  nodeKey: join(home, "config", "node_key.json"),
  validatorKey: join(home, "config", "priv_validator_key.json"),
  validatorState: join(home, "data", "priv_validator_state.json"),
  abciSocket: join(home, "abci.sock"),
  appData: join(home, "data", "uranus"),
});

export function cometbftBinary(): string {
  return process.env.URANUS_COMETBFT ?? binaryPath("cometbft");
}

/** Runs `cometbft init` unless the home already has a genesis; never overwrites keys. */
export async function initCometHome(home: string): Promise<void> {
  if (existsSync(homePaths(home).genesis)) return;
  const result = await run(cometbftBinary(), ["init", "--home", home]);
  if (result.code !== 0) {
    throw new Error(`cometbft init --home ${home} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
}

/** CometBFT's node id: hex of the first 20 bytes of sha256 over the node's ed25519 public key. */
export function readNodeId(home: string): string {
  return nodeIdOfKeyFile(homePaths(home).nodeKey);
}

/** The node id of a node_key.json; the key material never appears in the error. */
export function nodeIdOfKeyFile(path: string): string {
  let json: { priv_key?: { value?: string } };
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as typeof json;
  } catch {
    throw new Error(`${path} is not a CometBFT node_key.json`);
  }
  const raw = Buffer.from(json.priv_key?.value ?? "", "base64");
  if (raw.length !== 64) throw new Error(`${path} does not hold an ed25519 node key`);
  return createHash("sha256").update(raw.subarray(32)).digest().subarray(0, 20).toString("hex");
}
