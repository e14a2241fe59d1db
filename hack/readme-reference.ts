// Generates the README's CRD and CLI reference from their sources (the CRD YAML and the commander program),
// so the docs cannot drift: `npx tsx hack/readme-reference.ts --write`; a unit test checks they are current.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command, Option } from "commander";
import { buildProgram } from "../cli/uranus-program.js";
import { readCrdManifests } from "../crds/install.js";

interface SchemaNode {
  type?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

interface CrdVersion {
  name: string;
  schema: { openAPIV3Schema: SchemaNode };
}

interface CrdDocument {
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; shortNames?: string[]; categories?: string[] };
    versions: CrdVersion[];
  };
}

const README = "README.md";
const repoRoot = fileURLToPath(new URL("..", import.meta.url));

function firstSentence(text: string | undefined): string {
  if (text === undefined) return "";
  const flat = text.replace(/\s+/g, " ").trim();
  const end = flat.search(/\.(\s|$)/);
  return (end === -1 ? flat : flat.slice(0, end + 1)).replace(/\|/g, "\\|");
}

function typeOf(node: SchemaNode): string {
  if (node["x-kubernetes-int-or-string"] === true) return "int-or-string";
  if (node.type === "array") return `[]${node.items === undefined ? "any" : typeOf(node.items)}`;
  if (node.enum !== undefined) return node.enum.map(String).join(" \\| ");
  return node.type ?? "object";
}

function fieldRows(node: SchemaNode, path: string, rows: string[]): void {
  const required = new Set(node.required ?? []);
  for (const name of Object.keys(node.properties ?? {}).sort()) {
    const child = node.properties![name]!;
    const fieldPath = `${path}.${name}`;
    const marks = [
      required.has(name) ? "required" : "",
      child.default === undefined ? "" : `default ${JSON.stringify(child.default)}`,
    ]
      .filter((m) => m !== "")
      .join(", ");
    rows.push(`| \`${fieldPath}\` | ${typeOf(child)} | ${marks} | ${firstSentence(child.description)} |`);
    const next = child.type === "array" ? child.items : child;
    if (next?.properties !== undefined)
      fieldRows(next, child.type === "array" ? `${fieldPath}[]` : fieldPath, rows);
  }
}

export function crdReference(): string {
  const out: string[] = [];
  const crds = readCrdManifests() as unknown as CrdDocument[];
  for (const crd of crds.sort((a, b) => a.spec.names.kind.localeCompare(b.spec.names.kind))) {
    const { names, group, scope } = crd.spec;
    const version = crd.spec.versions[0]!;
    const schema = version.schema.openAPIV3Schema;
    out.push(`### ${names.kind}`, "");
    out.push(
      `\`${group}/${version.name}\`, ${scope === "Cluster" ? "cluster-scoped" : "namespaced"}; ` +
        `short names: ${(names.shortNames ?? []).map((n) => `\`${n}\``).join(", ")}; ` +
        `categories: ${(names.categories ?? []).join(", ")}.`,
      "",
    );
    out.push(firstSentence(schema.description), "");
    out.push("| field | type | | description |", "|---|---|---|---|");
    const rows: string[] = [];
    for (const part of ["spec", "status"]) {
      const node = schema.properties?.[part];
      if (node !== undefined) fieldRows(node, part, rows);
    }
    out.push(...rows, "");
  }
  return out.join("\n");
}

function optionLine(option: Option): string {
  const value = option.defaultValue as unknown;
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
  // Defaults that are paths inside the checkout are shown relative to it, the same on every machine.
  const fallback = value === undefined ? "" : ` (default: ${shown.replaceAll(repoRoot, "")})`;
  return `| \`${option.flags}\` | ${option.description.replace(/\|/g, "\\|")}${fallback} |`;
}

function commandSections(command: Command, prefix: string, out: string[]): void {
  for (const sub of command.commands) {
    const name = `${prefix} ${sub.name()}`;
    const args = sub.registeredArguments
      .map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`))
      .join(" ");
    if (sub.commands.length === 0) {
      out.push(`#### \`${name}${args === "" ? "" : ` ${args}`}\``, "", sub.description(), "");
      const options = sub.options.filter((o) => !o.hidden);
      if (options.length > 0) out.push("| option | meaning |", "|---|---|", ...options.map(optionLine), "");
    } else {
      commandSections(sub, name, out);
    }
  }
}

export async function cliReference(): Promise<string> {
  const program = await buildProgram();
  const out: string[] = ["Global options:", "", "| option | meaning |", "|---|---|"];
  out.push(...program.options.map(optionLine), "");
  commandSections(program, "uranus", out);
  return out.join("\n");
}

export function withSection(text: string, name: string, body: string): string {
  const begin = `<!-- BEGIN ${name} (generated by hack/readme-reference.ts) -->`;
  const end = `<!-- END ${name} -->`;
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start === -1 || stop === -1) throw new Error(`${README} has no ${name} section markers`);
  return `${text.slice(0, start + begin.length)}\n\n${body.trim()}\n\n${text.slice(stop)}`;
}

export async function renderReadme(text: string): Promise<string> {
  return withSection(
    withSection(text, "crd-reference", crdReference()),
    "cli-reference",
    await cliReference(),
  );
}

if (process.argv.includes("--write")) {
  writeFileSync(README, await renderReadme(readFileSync(README, "utf8")));
  console.log(`${README}: CRD and CLI reference regenerated`);
}
