// `uranus validate -f FILE|DIR|-`: the apiserver's verdict on uranus.io manifests before they are applied.
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { CRD_DIRECTORY } from "../directory.js";
import { CrdCatalog } from "./crd-catalog.js";
import { validatePaths, type Verdict } from "./manifest-files.js";
import { ManifestValidator } from "./validator.js";

function verdictLine(verdict: Verdict): string {
  const where =
    verdict.document === "1" || verdict.document === "-"
      ? verdict.source
      : `${verdict.source}#${verdict.document}`;
  const what = [verdict.kind, verdict.name].filter((part) => part !== undefined).join(" ");
  switch (verdict.status) {
    case "valid":
      return `${where}: ${what}: valid`;
    case "skipped":
      return `${where}: ${what}: skipped, ${verdict.message}`;
    case "invalid":
      return `${where}: ${verdict.message}`;
  }
}

export function renderVerdicts(verdicts: Verdict[], format: string): string {
  if (format === "json") return `${JSON.stringify(verdicts, null, 2)}\n`;
  const count = (status: Verdict["status"]) => verdicts.filter((v) => v.status === status).length;
  const lines = verdicts.map(verdictLine);
  lines.push(`${count("valid")} valid, ${count("invalid")} invalid, ${count("skipped")} skipped`);
  return `${lines.join("\n")}\n`;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerValidateCommands(program: Command): void {
  program
    .command("validate")
    .description(
      "check uranus.io manifests offline against the CRD schemas and CEL rules, as the apiserver would on create; " +
        "exit 1 if any is invalid",
    )
    .addOption(
      new Option("-f, --filename <path>", "file, directory (searched recursively) or - for stdin; repeatable")
        .argParser(collect)
        .makeOptionMandatory(),
    )
    .option("--crds <dir>", "directory holding the CustomResourceDefinition YAML", CRD_DIRECTORY)
    .action(function (this: Command) {
      const options = this.optsWithGlobals<{ filename: string[]; crds: string; output: string }>();
      if (options.output !== "text" && options.output !== "json") {
        process.stderr.write(`uranus validate: --output must be text or json, not ${options.output}\n`);
        throw new CommanderError(1, "uranus.validate.output", "unknown output format");
      }
      const validator = new ManifestValidator(CrdCatalog.fromDirectory(options.crds));
      const verdicts = validatePaths(options.filename, validator, () => readFileSync(0, "utf8"));
      process.stdout.write(renderVerdicts(verdicts, options.output));
      const invalid = verdicts.filter((v) => v.status === "invalid").length;
      if (invalid > 0)
        throw new CommanderError(1, "uranus.validate.invalid", `${invalid} manifests are invalid`);
    });
}
