// The manifests in examples/ that `uranus up` applies: every YAML document outside examples/gitops, in file order;
// with one cluster, only those that run in it (not the contracts another member of a federation is to run).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { KIND, type ComputeContract } from "../../crds/types.js";

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

/** A contract another member cluster of a federation may run (placement.clusters Any or Others). */
export function isRemoteEligible(doc: ExampleDocument): boolean {
  if (doc.object.kind !== KIND.ComputeContract) return false;
  const clusters = (doc.object as unknown as ComputeContract).spec.placement?.clusters;
  return clusters !== undefined && clusters !== "Local";
}

/** The examples a single cluster, member of no federation, runs. */
export function localExamples(dir: string = EXAMPLES_DIR): ExampleDocument[] {
  return readExamples(dir).filter((doc) => !isRemoteEligible(doc));
}
