// Architecture check: what the operator and the scheduler extender load at startup from @kubernetes/client-node.
// The package index (and its config.js, which imports it) loads every generated API model and client: ~70 MB of
// RSS for code these processes never run. Its watch.js brings node-fetch and its URL library's Unicode tables.
// The walk follows the static imports that survive compilation (verbatimModuleSyntax drops only `import type` and
// `export type`), from the sources into client-node's dist/. Dynamic import() is not followed: it loads on use, which
// is how the rare paths (OIDC, Azure and GCP authenticators, proxies) reach the heavier modules on purpose.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { expect } from "chai";
import ts from "typescript";

const ROOT = resolve(import.meta.dirname, "../../..");
const CLIENT_NODE = "@kubernetes/client-node";
const requireFromRoot = createRequire(join(ROOT, "package.json"));
const CLIENT_NODE_DIST = dirname(requireFromRoot.resolve(CLIENT_NODE));

/** client-node modules that must not load at startup, and why. */
const FORBIDDEN: [RegExp, string][] = [
  [/^index\.js$/, "the package index loads every generated model and API"],
  [/^gen\//, "generated models and APIs"],
  [/^config\.js$/, "KubeConfig's module imports gen/index.js"],
  [/^watch\.js$/, "Watch brings node-fetch"],
];

/** Module specifiers a file imports at run time: static imports and re-exports that are not type-only. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (
      ts.isImportDeclaration(statement) &&
      statement.importClause?.phaseModifier !== ts.SyntaxKind.TypeKeyword
    ) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (
      ts.isExportDeclaration(statement) &&
      !statement.isTypeOnly &&
      statement.moduleSpecifier !== undefined
    ) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

/** The file a specifier names: our sources (.js → .ts) and client-node's files; other packages are not followed. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (specifier.startsWith(".")) {
    const target = resolve(dirname(from), specifier);
    const source = target.replace(/\.js$/, ".ts");
    return existsSync(source) ? source : target;
  }
  if (specifier === CLIENT_NODE || specifier.startsWith(`${CLIENT_NODE}/`)) {
    return requireFromRoot.resolve(specifier);
  }
  return undefined;
}

/** Every file loaded at startup from `entry`, each with the chain of imports that reached it. */
function importGraph(entry: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[entry, [entry]]]);
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    for (const specifier of runtimeImports(file)) {
      const target = resolveImport(file, specifier);
      if (target === undefined || chains.has(target)) continue;
      chains.set(target, [...chains.get(file)!, target]);
      pending.push(target);
    }
  }
  return chains;
}

function forbiddenLoads(entry: string): string[] {
  const found: string[] = [];
  for (const [file, chain] of importGraph(entry)) {
    if (!file.startsWith(CLIENT_NODE_DIST)) continue;
    const inPackage = relative(CLIENT_NODE_DIST, file);
    const rule = FORBIDDEN.find(([pattern]) => pattern.test(inPackage));
    if (rule === undefined) continue;
    const path = chain.map((step) => relative(ROOT, step)).join(" → ");
    found.push(`${inPackage} (${rule[1]}), loaded by ${path}`);
  }
  return found;
}

describe("startup imports of @kubernetes/client-node", () => {
  it("the check sees the heavy modules when they are imported (client-node's own config.js reaches gen/)", () => {
    const reached = [...importGraph(join(CLIENT_NODE_DIST, "config.js")).keys()];
    expect(reached.some((file) => relative(CLIENT_NODE_DIST, file).startsWith("gen/models/"))).to.equal(true);
    expect(forbiddenLoads(join(CLIENT_NODE_DIST, "config.js"))).to.not.be.empty;
  });

  for (const entry of ["operator/operator-commands.ts", "scheduler-extender/command.ts"]) {
    it(`${entry} loads neither the package index, its generated models, KubeConfig nor Watch`, () => {
      const found = forbiddenLoads(join(ROOT, entry));
      const shown =
        found.slice(0, 5).join("\n") + (found.length > 5 ? `\n…and ${found.length - 5} more` : "");
      expect(found, `use \`import type\` or the small modules under dist/:\n${shown}`).to.be.empty;
    });
  }

  it("the operator still reaches the pieces it does use (the walk is not vacuous)", () => {
    const reached = [...importGraph(join(ROOT, "operator/operator-commands.ts")).keys()].map((file) =>
      relative(ROOT, file),
    );
    expect(reached).to.include("kube-runtime/kube-client.ts");
    expect(reached.filter((file) => file.includes(CLIENT_NODE))).to.not.be.empty;
  });
});
