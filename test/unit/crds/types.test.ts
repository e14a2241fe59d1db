// The TypeScript types in crds/types.ts and the CRD schemas describe the same objects: a JSON schema derived from
// the types (ts-json-schema-generator) is compared with each CRD schema at every level, and every example and
// good manifest is checked against both.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { expect } from "chai";
import { createGenerator } from "ts-json-schema-generator";
import { crdDefinitions } from "../../../crds/generate.js";
import type { OpenApiSchema } from "../../../crds/schema/openapi.js";
import {
  COMPUTE_CONTRACT_PHASES,
  CONDITION,
  CONTRIBUTOR_SPREADS,
  EXECUTION_POLICIES,
  ISOLATIONS,
  KIND,
  POWER_CONTAINER_PHASES,
  REASON,
} from "../../../crds/types.js";
import { pruneNullsAndDefault } from "../../../crds/validate/decode.js";
import { parseManifestStream } from "../../../crds/validate/kube-yaml.js";

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
}

type Definitions = Record<string, JsonSchema>;

function deref(schema: JsonSchema, definitions: Definitions): JsonSchema {
  let current = schema;
  while (current.$ref) current = definitions[current.$ref.replace("#/definitions/", "")]!;
  return current;
}

/** The set of JSON types a TypeScript-derived node allows, following refs and unions. */
function typesOf(schema: JsonSchema, definitions: Definitions): string[] {
  const node = deref(schema, definitions);
  if (node.anyOf) return [...new Set(node.anyOf.flatMap((s) => typesOf(s, definitions)))].sort();
  if (Array.isArray(node.type)) return [...node.type].sort();
  if (node.type) return [node.type];
  if (node.enum) return [...new Set(node.enum.map((v) => typeof v))].sort();
  return [];
}

function crdTypes(schema: OpenApiSchema): string[] {
  if (schema["x-kubernetes-int-or-string"]) return ["integer", "string"];
  return schema.type ? [schema.type] : [];
}

/** Differences between the two schemas, as readable lines; empty when they agree. */
function compare(ts: JsonSchema, crd: OpenApiSchema, definitions: Definitions, path: string): string[] {
  const node = deref(ts, definitions);
  const problems: string[] = [];
  // Affinity is Kubernetes' own type (client-node's V1Affinity), which spells int32 as number and enums as string.
  const kubernetesOwned = /\.affinity\b/.test(path);
  const tsTypes = typesOf(node, definitions);
  const asCrd =
    kubernetesOwned && crd.type === "integer" && tsTypes.join() === "number" ? ["integer"] : tsTypes;
  if (JSON.stringify(asCrd) !== JSON.stringify(crdTypes(crd)))
    problems.push(`${path}: types ${tsTypes.join("|")} in TypeScript, ${crdTypes(crd).join("|")} in the CRD`);
  const tsEnum = node.enum;
  if ((crd.enum && !kubernetesOwned) || tsEnum) {
    const a = JSON.stringify([...(tsEnum ?? [])].map(String).sort());
    const b = JSON.stringify([...(crd.enum ?? [])].map(String).sort());
    if (a !== b) problems.push(`${path}: enum ${a} in TypeScript, ${b} in the CRD`);
  }
  if (crd.properties || node.properties) {
    const tsKeys = Object.keys(node.properties ?? {}).sort();
    const crdKeys = Object.keys(crd.properties ?? {}).sort();
    if (JSON.stringify(tsKeys) !== JSON.stringify(crdKeys))
      problems.push(`${path}: properties ${tsKeys.join(",")} in TypeScript, ${crdKeys.join(",")} in the CRD`);
    const tsRequired = JSON.stringify([...(node.required ?? [])].sort());
    const crdRequired = JSON.stringify([...(crd.required ?? [])].sort());
    if (tsRequired !== crdRequired)
      problems.push(`${path}: required ${tsRequired} in TypeScript, ${crdRequired} in the CRD`);
    for (const key of tsKeys.filter((k) => crd.properties?.[k]))
      problems.push(...compare(node.properties![key]!, crd.properties![key]!, definitions, `${path}.${key}`));
  }
  if (crd.items || node.items) {
    if (!crd.items || !node.items) problems.push(`${path}: list items differ`);
    else problems.push(...compare(node.items, crd.items, definitions, `${path}[]`));
  }
  if (crd.additionalProperties || typeof node.additionalProperties === "object") {
    if (!crd.additionalProperties || typeof node.additionalProperties !== "object")
      problems.push(`${path}: map values differ`);
    else
      problems.push(
        ...compare(node.additionalProperties, crd.additionalProperties, definitions, `${path}{}`),
      );
  }
  return problems;
}

function manifestFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((entry) => manifestFiles(join(path, entry)));
}

function uranusObjects(paths: string[]): { where: string; object: Record<string, unknown> }[] {
  return paths
    .flatMap(manifestFiles)
    .filter((file) => file.endsWith(".yaml"))
    .flatMap((file) =>
      parseManifestStream(readFileSync(file, "utf8")).flatMap((document) => {
        const value = document.value as Record<string, unknown> | null;
        const items = value?.kind === "List" ? (value.items as Record<string, unknown>[]) : [value];
        return items
          .filter((item): item is Record<string, unknown> => item?.apiVersion === "uranus.io/v1alpha1")
          .map((object) => ({ where: `${file}#${document.index}`, object }));
      }),
    );
}

describe("crds: TypeScript types agree with the CRD schemas", function () {
  // Building the TypeScript program for the generator takes a few seconds.
  this.timeout(120_000);
  let definitions: Definitions = {};

  before(() => {
    const generator = createGenerator({
      path: "crds/types.ts",
      tsconfig: "tsconfig.json",
      type: "*",
      expose: "export",
      topRef: false,
      skipTypeCheck: true,
      additionalProperties: false,
      jsDoc: "extended",
    });
    definitions = generator.createSchema("*").definitions as Definitions;
  });

  for (const crd of crdDefinitions()) {
    const kind = crd.spec.names.kind;
    const schema = crd.spec.versions[0]!.schema.openAPIV3Schema;

    for (const [part, definition] of [
      ["spec", `${kind}Spec`],
      ["status", `${kind}Status`],
    ] as const) {
      it(`${kind}: ${part} has the same fields, required sets, types and enums at every level`, () => {
        const problems = compare(
          { $ref: `#/definitions/${definition}` },
          schema.properties![part]!,
          definitions,
          part,
        );
        expect(problems).to.deep.equal([]);
      });
    }

    it(`${kind}: the comparison notices a difference`, () => {
      const altered = structuredClone(schema.properties!.spec!);
      altered.properties = Object.fromEntries(
        Object.entries(altered.properties!).map(([key, value], i) => [
          i === 0 ? `${key}Renamed` : key,
          value,
        ]),
      );
      expect(compare({ $ref: `#/definitions/${kind}Spec` }, altered, definitions, "spec")).to.not.be.empty;
    });
  }

  it("accepts every example and good manifest, as the apiserver stores it, under the TypeScript-derived schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validators = new Map<string, ValidateFunction>();
    for (const kind of Object.values(KIND)) {
      validators.set(
        kind,
        ajv.compile({
          $ref: `#/definitions/${kind}Spec`,
          definitions,
        }),
      );
    }
    const objects = uranusObjects(["examples", "test/fixtures/manifests/good"]);
    expect(objects.length).to.be.greaterThan(10);
    const crdSchemas = new Map(
      crdDefinitions().map((crd) => [crd.spec.names.kind, crd.spec.versions[0]!.schema]),
    );
    for (const { where, object } of objects) {
      const validate = validators.get(object.kind as string)!;
      const stored = pruneNullsAndDefault(object, crdSchemas.get(object.kind as string)!.openAPIV3Schema);
      expect(validate(stored.spec), `${where}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
    }
  });

  it("exports the enum values the schemas use", () => {
    const byKind = Object.fromEntries(crdDefinitions().map((crd) => [crd.spec.names.kind, crd]));
    const spec = (kind: string) => byKind[kind]!.spec.versions[0]!.schema.openAPIV3Schema.properties!;
    const pc = spec("PowerContainer");
    expect(pc.spec!.properties!.isolation!.enum).to.deep.equal([...ISOLATIONS]);
    expect(pc.spec!.properties!.executionPolicy!.enum).to.deep.equal([...EXECUTION_POLICIES]);
    expect(pc.spec!.properties!.contributorSpread!.enum).to.deep.equal([...CONTRIBUTOR_SPREADS]);
    expect(pc.status!.properties!.phase!.enum).to.deep.equal([...POWER_CONTAINER_PHASES]);
    expect(spec("ComputeContract").status!.properties!.phase!.enum).to.deep.equal([
      ...COMPUTE_CONTRACT_PHASES,
    ]);
  });

  it("names condition reasons as the condition schema requires", () => {
    const reasons = Object.values(REASON).flatMap((group) => Object.values(group));
    for (const reason of reasons) expect(reason).to.match(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/);
    for (const types of Object.values(CONDITION))
      for (const type of Object.values(types)) expect(type).to.match(/^[A-Z][A-Za-z]+$/);
  });
});
