// Registers the chain client's commands on the `uranus` program: keys, tx, query, and the global --node option.
import type { Command } from "commander";
import { DEFAULT_NODE } from "./cli-context.js";
import { registerEconomyCommands } from "./economy-commands.js";
import { registerKeysCommands } from "./keys-commands.js";
import { registerQueryCommands } from "./query-commands.js";
import { registerTxCommands } from "./tx-commands.js";

export function registerChainClientCommands(program: Command): void {
  program.option(
    "--node <url>",
    `CometBFT RPC URL of a chain node (env URANUS_NODE, default ${DEFAULT_NODE})`,
  );
  registerKeysCommands(program);
  registerTxCommands(program);
  registerQueryCommands(program);
  registerEconomyCommands(program);
}
