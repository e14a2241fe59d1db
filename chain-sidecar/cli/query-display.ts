// One query printed: as JSON with --json, else as text; with its Merkle proof checked when asked.
import type { Command } from "commander";
import type { ChainClient } from "../client/chain-client.js";
import { isJson, printJson, type ChainCliOptions } from "./cli-context.js";
import { withClient } from "./query-commands.js";

type Json = Record<string, unknown>;

/** Runs one query and prints it as JSON, or as text through `print`. */
export async function show(
  command: Command,
  path: (options: ChainCliOptions) => string,
  print: (value: unknown) => void,
  prove = false,
): Promise<void> {
  await withClient(command, async (client: ChainClient, options) => {
    const value = prove ? await provenRecord(client, path(options)) : await client.queryJson(path(options));
    if (isJson(options)) printJson(value);
    else print(value);
  });
}

/** A record checked against its app hash, with where: `proof` always, `archived` when it left state. */
async function provenRecord(client: ChainClient, path: string): Promise<Json> {
  const proven = await client.queryProven(path);
  if (proven.value === null) throw new Error(`${path}: proven absent from state at height ${proven.height}`);
  const where = { height: proven.height, appHash: proven.appHash };
  return { ...(proven.value as Json), proof: where, ...(proven.archived ? { archived: where } : {}) };
}
