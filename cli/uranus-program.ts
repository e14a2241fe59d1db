// The one `uranus` command. Each component registers its own subcommands from where it lives; only the component
// a command line names is loaded, so a long-running `uranus operator run` does not carry the chain node or the CLI.
import { Command } from "commander";

type Register = (program: Command) => void;

interface Component {
  /** The top-level commands the component registers. */
  commands: readonly string[];
  load(): Promise<Register>;
}

const COMPONENTS: readonly Component[] = [
  {
    commands: ["validate"],
    load: async () => (await import("../crds/validate/command.js")).registerValidateCommands,
  },
  {
    commands: ["chain"],
    load: async () => (await import("../chain-sidecar/node/chain-commands.js")).registerChainCommands,
  },
  {
    commands: ["keys", "tx", "query"],
    load: async () =>
      (await import("../chain-sidecar/cli/chain-client-commands.js")).registerChainClientCommands,
  },
  {
    commands: ["testnet"],
    load: async () => (await import("../chain-sidecar/testnet/testnet-commands.js")).registerTestnetCommands,
  },
  {
    commands: ["scheduler-extender"],
    load: async () => (await import("../scheduler-extender/command.js")).registerSchedulerExtenderCommands,
  },
  {
    commands: ["operator"],
    load: async () => (await import("../operator/operator-commands.js")).registerOperatorCommands,
  },
  { commands: ["up"], load: async () => (await import("./up/up-command.js")).registerUpCommand },
];

/** The component a command line names, or undefined (help, no command, a typo): then all are loaded. */
function named(argv: readonly string[]): Component | undefined {
  const word = argv.find((arg) => COMPONENTS.some((component) => component.commands.includes(arg)));
  return COMPONENTS.find((component) => word !== undefined && component.commands.includes(word));
}

/** The program with every component's commands, or with only those of the component `argv` names. */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command("uranus")
    .description("Uranus: share spare compute, metered and settled on chain")
    .option("-o, --output <format>", "output format: text or json", "text")
    .showHelpAfterError()
    .exitOverride();
  const only = named(argv);
  const components = only === undefined ? COMPONENTS : [only];
  const registers = await Promise.all(components.map((component) => component.load()));
  for (const register of registers) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
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
