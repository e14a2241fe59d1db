// Turns -f arguments (files, directories searched recursively, or "-" for stdin) into manifest verdicts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { isObject } from "./decode.js";
import { parseManifestStream } from "./kube-yaml.js";
import type { ManifestValidator, ObjectVerdict } from "./validator.js";

export interface Verdict extends ObjectVerdict {
  /** File path, or "-" for stdin. */
  source: string;
  /** 1-based document number within the file; for items of a List, "3.items[0]"-style. */
  document: string;
  /** 1-based line where the document starts. */
  line: number;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const child = join(path, entry.name);
      if (entry.isDirectory()) return filesUnder(child);
      return MANIFEST_FILE.test(entry.name) ? [child] : [];
    });
}

function unreadable(source: string, message: string): Verdict {
  return { source, document: "-", line: 0, status: "invalid", message, errors: [] };
}

function isList(value: unknown): value is { items: unknown[] } {
  return (
    isObject(value) &&
    typeof value.kind === "string" &&
    value.kind.endsWith("List") &&
    Array.isArray(value.items)
  );
}

export function validateText(source: string, text: string, validator: ManifestValidator): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const parsed of parseManifestStream(text)) {
    const at = { source, document: String(parsed.index), line: parsed.line };
    if (parsed.error !== undefined) {
      verdicts.push({ ...at, status: "invalid", message: `error parsing YAML: ${parsed.error}`, errors: [] });
    } else if (parsed.value === null || parsed.value === undefined) {
      continue; // An empty document, e.g. after a trailing "---".
    } else if (isList(parsed.value)) {
      parsed.value.items.forEach((item, i) => {
        verdicts.push({ ...at, document: `${parsed.index}.items[${i}]`, ...validator.validate(item) });
      });
    } else {
      verdicts.push({ ...at, ...validator.validate(parsed.value) });
    }
  }
  return verdicts;
}

export function validatePaths(
  paths: string[],
  validator: ManifestValidator,
  readStdin: () => string,
): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const path of paths) {
    if (path === "-") {
      verdicts.push(...validateText("-", readStdin(), validator));
      continue;
    }
    let files: string[];
    try {
      files = filesUnder(path);
    } catch {
      verdicts.push(unreadable(path, `the path ${JSON.stringify(path)} does not exist`));
      continue;
    }
    if (files.length === 0) verdicts.push(unreadable(path, `no .yaml, .yml or .json files under ${path}`));
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (error) {
        verdicts.push(unreadable(file, `cannot read ${file}: ${(error as Error).message}`));
        continue;
      }
      verdicts.push(...validateText(file, text, validator));
    }
  }
  return verdicts;
}
