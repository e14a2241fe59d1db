// Architecture check: every import between top-level folders follows hack/import-rules.js, no two folders import each
// other in a circle, and hack/ never ships. The lint rule catches the same imports while editing; this test reads
// every file's imports (type-only ones too: they couple the folders just the same) and so covers what lint ignores.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { expect } from "chai";
import ts from "typescript";
import {
  ALLOWED_IMPORTS,
  COMPOSITION_ROOTS,
  PUBLIC_ENTRIES,
  SOURCE_FOLDERS,
} from "../../hack/import-rules.js";

const ROOT = resolve(import.meta.dirname, "../..");

interface ImportEdge {
  file: string;
  target: string;
}

function typeScriptFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(folder, file).split(sep).join("/"));
}

/** Every relative import of the given files, as repository paths. */
function importEdges(files: string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true);
    for (const imported of info.importedFiles) {
      if (!imported.fileName.startsWith(".")) continue;
      const target = relative(ROOT, resolve(ROOT, dirname(file), imported.fileName));
      edges.push({ file, target: target.split(sep).join("/") });
    }
  }
  return edges;
}

const topFolder = (path: string): string => path.split("/")[0]!;

/** The imports for which `breaks(importing folder, imported folder, target)` holds, as "<file> imports <target>". */
function importsThatBreak(
  edges: ImportEdge[],
  breaks: (from: string, to: string, target: string) => boolean,
): string[] {
  return edges
    .filter(({ file, target }) => breaks(topFolder(file), topFolder(target), target))
    .map(({ file, target }) => `${file} imports ${target}`);
}

/** The imports that cross into a folder the importing folder may not use. */
const violations = (edges: ImportEdge[]): string[] =>
  importsThatBreak(edges, (from, to) => {
    const allowed = ALLOWED_IMPORTS[from];
    return from !== to && allowed !== undefined && !allowed.includes(to);
  });

/** The imports that reach past another folder's public entries (composition roots may). */
const internalReaches = (edges: ImportEdge[]): string[] =>
  importsThatBreak(edges, (from, owner, target) => {
    const entries = PUBLIC_ENTRIES[owner];
    if (from === owner || entries === undefined || COMPOSITION_ROOTS.includes(from) || from === "hack")
      return false;
    return !new RegExp(`^${entries}$`).test(target.slice(owner.length + 1));
  });

/** A cycle among the folders of the edges, as a path that returns to its start, or undefined. */
function folderCycle(edges: ImportEdge[], folderOf = topFolder): string[] | undefined {
  const next = new Map<string, Set<string>>();
  for (const { file, target } of edges) {
    const from = folderOf(file);
    const to = folderOf(target);
    if (from === to) continue;
    next.set(from, (next.get(from) ?? new Set()).add(to));
  }
  const done = new Set<string>();
  const visit = (folder: string, path: string[]): string[] | undefined => {
    const start = path.indexOf(folder);
    if (start >= 0) return [...path.slice(start), folder];
    if (done.has(folder)) return undefined;
    for (const to of next.get(folder) ?? []) {
      const cycle = visit(to, [...path, folder]);
      if (cycle) return cycle;
    }
    done.add(folder);
    return undefined;
  };
  for (const folder of [...next.keys()].sort()) {
    const cycle = visit(folder, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("architecture", () => {
  const sourceEdges = importEdges([...SOURCE_FOLDERS, "hack"].flatMap(typeScriptFiles));

  it("reads the imports of every source folder (the check is not vacuous)", () => {
    const crossing = new Set(
      sourceEdges.map(({ file, target }) => `${topFolder(file)}→${topFolder(target)}`),
    );
    expect(crossing).to.include.members([
      "operator→chain-sidecar",
      "scheduler-extender→kube-runtime",
      "cli→operator",
    ]);
  });

  it("has no import between top-level folders that hack/import-rules.js forbids", () => {
    expect(violations(sourceEdges)).to.deep.equal([]);
  });

  it("flags a forbidden import", () => {
    const edges = [
      { file: "units/scu.ts", target: "operator/start-operator.ts" },
      { file: "chain-sidecar/node/x.ts", target: "hack/binaries.ts" },
      { file: "operator/a.ts", target: "units/scu.ts" },
    ];
    expect(violations(edges)).to.deep.equal([
      "units/scu.ts imports operator/start-operator.ts",
      "chain-sidecar/node/x.ts imports hack/binaries.ts",
    ]);
  });

  it("imports from chain-sidecar/ only its client and the modules' and tx's types files", () => {
    expect(internalReaches(sourceEdges)).to.deep.equal([]);
    expect(
      internalReaches([
        { file: "operator/a.ts", target: "chain-sidecar/modules/market/market-keeper.js" },
        { file: "operator/a.ts", target: "chain-sidecar/modules/market/market-types.js" },
        { file: "operator/a.ts", target: "chain-sidecar/client/chain-client.js" },
        { file: "cli/up/x.ts", target: "chain-sidecar/node/sidecar.js" },
      ]),
    ).to.deep.equal(["operator/a.ts imports chain-sidecar/modules/market/market-keeper.js"]);
  });

  it("has no import cycle between top-level folders", () => {
    expect(folderCycle(sourceEdges)).to.equal(undefined);
    expect(
      folderCycle([
        { file: "operator/a.ts", target: "scheduler-extender/b.ts" },
        { file: "scheduler-extender/b.ts", target: "operator/runtime/c.ts" },
      ]),
    ).to.deep.equal(["operator", "scheduler-extender", "operator"]);
  });

  it("has no import cycle between the chain's modules (they meet through expected-keeper interfaces)", () => {
    const moduleOf = (path: string): string => path.split("/").slice(0, 3).join("/");
    const inModules = sourceEdges.filter(
      ({ file, target }) =>
        /^chain-sidecar\/modules\/[^/]+\//.test(file) && /^chain-sidecar\/modules\/[^/]+\//.test(target),
    );
    expect(inModules.map(({ target }) => moduleOf(target))).to.include("chain-sidecar/modules/market");
    expect(folderCycle(inModules, moduleOf)).to.equal(undefined);
  });

  it("allows no cycle in the rules themselves", () => {
    const ruleEdges = Object.entries(ALLOWED_IMPORTS).flatMap(([from, targets]) =>
      targets.map((to) => ({ file: `${from}/x.ts`, target: `${to}/x.ts` })),
    );
    expect(folderCycle(ruleEdges)).to.equal(undefined);
  });

  it("keeps every TypeScript file, tests included, at 400 lines or fewer", () => {
    const long = [...SOURCE_FOLDERS, "hack", "test"]
      .flatMap(typeScriptFiles)
      .map((file) => ({ file, lines: readFileSync(join(ROOT, file), "utf8").split("\n").length - 1 }))
      .filter(({ lines }) => lines > 400)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).to.deep.equal([]);
  });

  it("copies every source folder into the image's build stage (the Dockerfile builds what tsconfig.build.json names)", () => {
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    const copied = [...dockerfile.matchAll(/^COPY (\S+) \.\/\1$/gm)].map((match) => match[1]);
    expect([...copied].sort()).to.include.members([...SOURCE_FOLDERS].sort());
  });

  it("puts the pinned CometBFT on the image's PATH, where the manifests' `cometbft start` and `chain init` find it", () => {
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    const pinned = /^COMETBFT_VERSION=(\S+)$/m.exec(
      readFileSync(join(ROOT, "hack/versions.env"), "utf8"),
    )?.[1];
    expect(/^ARG COMETBFT_VERSION=(\S+)$/m.exec(dockerfile)?.[1]).to.equal(pinned);
    expect(dockerfile).to.include("github.com/cometbft/cometbft/cmd/cometbft@${COMETBFT_VERSION}");
    expect(dockerfile).to.match(/^COPY --from=cometbft \S+\/cometbft \/usr\/local\/bin\/cometbft$/m);
  });

  it("builds exactly the source folders into dist/, without hack/ or test/", () => {
    const build = JSON.parse(readFileSync(join(ROOT, "tsconfig.build.json"), "utf8")) as {
      include: string[];
    };
    expect([...build.include].sort()).to.deep.equal([...SOURCE_FOLDERS].sort());
  });
});
