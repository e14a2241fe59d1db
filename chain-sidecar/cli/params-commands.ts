// `uranus tx params propose|approve`: parameter changes that validators holding a majority of power approve.
import { InvalidArgumentError, type Command } from "commander";
import {
  ApproveParamChangeMsg,
  ProposeParamChangeMsg,
  type ParamChange,
} from "../modules/governance/governance-messages.js";
import { countArgument } from "./economy-arguments.js";
import { signAndSend, signingCommand } from "./tx-commands.js";

/** module.name=value, e.g. metering.feeBps=300. */
export function paramChangeArgument(value: string, previous: ParamChange[] = []): ParamChange[] {
  const match = /^([a-z]+)\.([A-Za-z]+)=(\d+)$/.exec(value);
  if (!match)
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} is not module.name=value (e.g. metering.feeBps=300)`,
    );
  return [...previous, { module: match[1]!, name: match[2]!, value: match[3]! }];
}

export function registerParamsCommands(tx: Command): void {
  const params = tx.command("params").description("change chain parameters by validator approval");

  signingCommand(params, "propose", "propose parameter changes (a validator only; counts as your approval)")
    .argument("<changes...>", "module.name=value, one or more", (value: string, previous?: ParamChange[]) =>
      paramChangeArgument(value, previous),
    )
    .action(async (changes: ParamChange[], _opts: unknown, command: Command) => {
      await signAndSend(
        command,
        "ProposeParamChange",
        (c, s, o) => c.submit(s, ProposeParamChangeMsg, { changes }, o),
        (outcome) => {
          const proposal = outcome.events
            .find((e) => e.type === "param_proposal")
            ?.attributes.find((a) => a.key === "proposal")?.value;
          const applied = outcome.events.some((e) => e.type === "param_change");
          return [
            ["proposal", proposal ?? "?"],
            ["applied", applied ? "yes" : "no, waiting for approvals"],
          ];
        },
      );
    });

  signingCommand(params, "approve", "approve a pending proposal (a validator only)")
    .argument("<proposal>", "proposal number", countArgument)
    .action(async (proposalId: bigint, _opts: unknown, command: Command) => {
      await signAndSend(
        command,
        "ApproveParamChange",
        (c, s, o) => c.submit(s, ApproveParamChangeMsg, { proposalId }, o),
        (outcome) => [["applied", outcome.events.some((e) => e.type === "param_change") ? "yes" : "not yet"]],
      );
    });
}
