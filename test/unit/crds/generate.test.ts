import { readFileSync } from "node:fs";
import { expect } from "chai";
import { parse } from "yaml";
import { CRD_DIRECTORY } from "../../../crds/directory.js";
import { crdDefinitions, renderCrds, type RenderedCrd } from "../../../crds/generate.js";
import type { OpenApiSchema } from "../../../crds/schema/openapi.js";
import { CATEGORY, GROUP, KIND, PLURAL, SHORT_NAMES, VERSION } from "../../../crds/types.js";
import { compileError, rulesOf } from "../../../crds/validate/cel-validation.js";

interface Node {
  path: string;
  schema: OpenApiSchema;
}

/** Every schema node with its path, not descending into the apiserver-owned root metadata. */
function nodes(schema: OpenApiSchema, path = ""): Node[] {
  const found: Node[] = [{ path: path || "<root>", schema }];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (path === "" && key === "metadata") continue;
    found.push(...nodes(child, path ? `${path}.${key}` : key));
  }
  if (schema.items) found.push(...nodes(schema.items, `${path}[]`));
  if (schema.additionalProperties) found.push(...nodes(schema.additionalProperties, `${path}{}`));
  return found;
}

describe("crds: generated CRD YAML", () => {
  const definitions = crdDefinitions();
  let rendered: RenderedCrd[] = [];
  before(async () => {
    rendered = await renderCrds();
  });

  it("writes one CRD per kind", () => {
    expect(rendered.map((r) => r.crd.spec.names.kind).sort()).to.deep.equal(Object.values(KIND).sort());
  });

  for (const crd of definitions) {
    const kind = crd.spec.names.kind as keyof typeof PLURAL;
    describe(kind, () => {
      const schema = crd.spec.versions[0]!.schema.openAPIV3Schema;
      const file = () => rendered.find((r) => r.crd.spec.names.kind === kind)!;

      it("is committed exactly as crds/generate.ts writes it", () => {
        const committed = readFileSync(`${CRD_DIRECTORY}${file().fileName}`, "utf8");
        expect(committed, `run: npx tsx crds/generate.ts`).to.equal(file().text);
      });

      it("parses back to the definition it was rendered from", () => {
        expect(parse(file().text)).to.deep.equal(crd);
      });

      it("has the group, version, names, short names, category, status subresource (and scale where replicas are)", () => {
        expect(crd.metadata.name).to.equal(`${PLURAL[kind]}.${GROUP}`);
        expect(crd.spec.group).to.equal(GROUP);
        expect(crd.spec.names.shortNames).to.deep.equal(SHORT_NAMES[kind]);
        expect(crd.spec.names.categories).to.deep.equal([CATEGORY]);
        expect(crd.spec.versions.map((v) => v.name)).to.deep.equal([VERSION]);
        // Only a ComputeContract has replicas, so only it scales (kubectl scale, HorizontalPodAutoscaler).
        const scale = {
          specReplicasPath: ".spec.replicas",
          statusReplicasPath: ".status.replicas",
          labelSelectorPath: ".status.selector",
        };
        expect(crd.spec.versions[0]!.subresources).to.deep.equal(
          kind === "ComputeContract" ? { status: {}, scale } : { status: {} },
        );
        expect(crd.spec.scope).to.equal(kind === "ContributorNode" ? "Cluster" : "Namespaced");
      });

      it("describes every field", () => {
        const bare = nodes(schema)
          .filter(({ schema: s }) => s.description === undefined || s.description.trim() === "")
          .map((n) => n.path);
        expect(bare).to.deep.equal([]);
      });

      it("bounds every string, list, map and integer (CEL cost estimation needs bounds)", () => {
        const unbounded = nodes(schema)
          .filter(({ schema: s }) => {
            if (s["x-kubernetes-int-or-string"]) return s.maxLength === undefined;
            if (s.type === "string") return s.maxLength === undefined && s.enum === undefined;
            if (s.type === "array") return s.maxItems === undefined;
            if (s.type === "integer") return s.maximum === undefined;
            if (s.type === "object" && s.additionalProperties) return s.maxProperties === undefined;
            return false;
          })
          .map((n) => n.path);
        expect(unbounded).to.deep.equal([]);
      });

      it("gives every node a type, except int-or-string", () => {
        const untyped = nodes(schema)
          .filter(({ schema: s }) => s.type === undefined && !s["x-kubernetes-int-or-string"])
          .map((n) => n.path);
        expect(untyped).to.deep.equal([]);
      });

      it("lets no unknown field through: everything that reaches a pod has a schema", () => {
        const preserved = nodes(schema)
          .filter(({ schema: s }) => s["x-kubernetes-preserve-unknown-fields"])
          .map((n) => n.path);
        expect(preserved).to.deep.equal([]);
      });

      it("has CEL rules that compile, carry a message and avoid backslashes cel-go refuses in literals", () => {
        const rules = rulesOf(schema);
        expect(rules).to.not.be.empty;
        for (const { path, rule } of rules) {
          expect(compileError(rule.rule), `${path}: ${rule.rule}`).to.equal(undefined);
          expect(rule.message, `${path}: ${rule.rule}`).to.be.a("string").and.not.equal("");
          expect(rule.rule, path).to.not.include("\\");
        }
      });

      it("has printer columns with descriptions, ending with Age", () => {
        const columns = crd.spec.versions[0]!.additionalPrinterColumns;
        expect(columns.at(-1)?.name).to.equal("Age");
        for (const column of columns) expect(column.description, column.name).to.not.equal("");
      });
    });
  }

  it("uses one PowerContainer spec schema for the PowerContainer and the ComputeContract template", () => {
    const byKind = Object.fromEntries(definitions.map((crd) => [crd.spec.names.kind, crd]));
    const specOf = (kind: string) => byKind[kind]!.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!;
    const fromTemplate = specOf("ComputeContract").properties!.template!.properties!.spec!;
    const fromKind = specOf("PowerContainer");
    expect({ ...fromTemplate, description: "" }).to.deep.equal({ ...fromKind, description: "" });
  });

  it("states the money representation in every amount's description", () => {
    const amounts = definitions.flatMap((crd) =>
      nodes(crd.spec.versions[0]!.schema.openAPIV3Schema).filter(
        ({ schema }) => schema.pattern === "^(0|[1-9][0-9]*)$" && schema.maxLength === 78,
      ),
    );
    expect(amounts.length).to.be.greaterThan(5);
    for (const { path, schema } of amounts)
      expect(schema.description, path).to.include("smallest token unit");
  });
});
