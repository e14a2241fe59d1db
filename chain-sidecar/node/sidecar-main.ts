// Process entry for a sidecar alone: only the `chain` commands are loaded, so a restarted sidecar is up in seconds.
import { Command } from "commander";
import { registerChainCommands } from "./chain-commands.js";

const program = new Command("uranus")
  .option("-o, --output <format>", "output format: text or json", "text")
  .exitOverride();
registerChainCommands(program);
try {
  await program.parseAsync(process.argv.slice(2), { from: "user" });
} catch (error) {
  const code = (error as { exitCode?: number }).exitCode;
  if (typeof code !== "number") process.stderr.write(`uranus: ${(error as Error).message}\n`);
  process.exitCode = typeof code === "number" ? code : 1;
}
