// The manifests in examples/ that `uranus up` applies: every YAML document outside examples/gitops, in file order.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const EXAMPLES_DIR = join(REPO_ROOT, "examples");

export interface ExampleDocument {
  /** Path relative to the repository, for progress lines. */
  file: string;
  object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<
    string,
    unknown
  >;
}

export function readExamples(dir: string = EXAMPLES_DIR): ExampleDocument[] {
  const files: string[] = [];
  const walk = (path: string): void => {
    for (const entry of readdirSync(path).sort()) {
      const full = join(path, entry);
      // GitOps samples are applied by a GitOps tool, not here.
      if (statSync(full).isDirectory()) {
        if (entry !== "gitops") walk(full);
      } else if (/\.ya?ml$/.test(entry)) files.push(full);
    }
  };
  walk(dir);
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, "utf8"))
      .map((doc) => doc.toJS() as ExampleDocument["object"] | null)
      .filter((object): object is ExampleDocument["object"] => object !== null)
      .map((object) => ({ file: relative(REPO_ROOT, file), object })),
  );
}
