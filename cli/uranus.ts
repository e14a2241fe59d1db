// The one `uranus` command. Each component registers its own subcommands from where it lives.
import { Command } from "commander";
import { registerValidateCommands } from "../crds/validate/command.js";
import { registerChainCommands } from "../chain-sidecar/node/chain-commands.js";
import { registerChainClientCommands } from "../chain-sidecar/cli/chain-client-commands.js";
import { registerTestnetCommands } from "../chain-sidecar/testnet/testnet-commands.js";
import { registerSchedulerExtenderCommands } from "../scheduler-extender/command.js";
import { registerOperatorCommands } from "../operator/operator-commands.js";
import { registerUpCommand } from "./up/up-command.js";

export function buildProgram(): Command {
  const program = new Command("uranus")
    .description("Uranus: share spare compute, metered and settled on chain")
    .option("-o, --output <format>", "output format: text or json", "text")
    .showHelpAfterError()
    .exitOverride();
  registerValidateCommands(program);
  registerChainCommands(program);
  registerChainClientCommands(program);
  registerTestnetCommands(program);
  registerSchedulerExtenderCommands(program);
  registerOperatorCommands(program);
  registerUpCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    if (typeof code === "number") return code;
    process.stderr.write(`uranus: ${(error as Error).message}\n`);
    return 1;
  }
}
