// Adds the economy's subcommands (contracts, nodes, parameters, and their queries) to `uranus tx` and `uranus query`.
import type { Command } from "commander";
import { registerContractCommands } from "./contract-commands.js";
import { registerEconomyQueryCommands } from "./economy-query-commands.js";
import { registerNodeCommands } from "./node-commands.js";
import { registerParamsCommands } from "./params-commands.js";
import { registerSettlementQueryCommands } from "./settlement-query-commands.js";

function subcommand(program: Command, name: string): Command {
  const found = program.commands.find((c) => c.name() === name);
  if (!found) throw new Error(`register the economy commands after \`uranus ${name}\` exists`);
  return found;
}

export function registerEconomyCommands(program: Command): void {
  const tx = subcommand(program, "tx");
  registerContractCommands(tx);
  registerNodeCommands(tx);
  registerParamsCommands(tx);
  registerEconomyQueryCommands(subcommand(program, "query"));
  registerSettlementQueryCommands(subcommand(program, "query"));
}
