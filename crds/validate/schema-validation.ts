// OpenAPI v3 schema checks of a custom resource with ajv, reported as the apiserver (kube-openapi) reports them.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { OpenApiSchema } from "../schema/openapi.js";
import { fieldError, FieldPath, type FieldError } from "./field-error.js";

const KUBERNETES_KEYWORDS = [
  "x-kubernetes-int-or-string",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  "x-kubernetes-validations",
];

function newAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    allowUnionTypes: true,
  });
  addFormats.default(ajv);
  // Kubernetes accepts these number formats without checking them; ajv must know them to compile.
  for (const format of ["int32", "int64", "float", "double"])
    ajv.addFormat(format, { type: "number", validate: () => true });
  ajv.addVocabulary(KUBERNETES_KEYWORDS);
  return ajv;
}

/** int-or-string becomes a union type, which is how kube-openapi checks it (one error, not an anyOf cascade). */
function forAjv(schema: OpenApiSchema): OpenApiSchema {
  const copy: OpenApiSchema = { ...schema };
  if (copy["x-kubernetes-int-or-string"] === true) {
    delete copy.anyOf;
    (copy as { type?: unknown }).type = ["integer", "string"];
  }
  if (copy.properties)
    copy.properties = Object.fromEntries(Object.entries(copy.properties).map(([k, v]) => [k, forAjv(v)]));
  if (copy.items) copy.items = forAjv(copy.items);
  if (copy.additionalProperties) copy.additionalProperties = forAjv(copy.additionalProperties);
  if (copy.anyOf) copy.anyOf = copy.anyOf.map(forAjv);
  return copy;
}

export function jsonTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function pathOf(instancePath: string, root: unknown): { path: FieldPath; value: unknown } {
  let path = FieldPath.root();
  let value = root;
  if (instancePath === "") return { path, value };
  for (const raw of instancePath.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(value)) {
      path = path.index(Number(segment));
      value = value[Number(segment)];
    } else {
      path = path.child(segment);
      value = (value as Record<string, unknown> | undefined)?.[segment];
    }
  }
  return { path, value };
}

function translate(error: ErrorObject, root: unknown): FieldError[] {
  const { path, value } = pathOf(error.instancePath, root);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "type" && Array.isArray(params.type)) {
    // kube-openapi also runs the int-or-string anyOf and reports its first branch; the same three errors follow.
    const field = path.toString();
    const actual = JSON.stringify(jsonTypeName(value));
    return [
      translateOne(error, root),
      fieldError.invalid("<nil>", "", `${JSON.stringify(field)} must validate at least one schema (anyOf)`),
      fieldError.typeInvalid(
        field,
        jsonTypeName(value),
        `${field} in body must be of type integer: ${actual}`,
      ),
    ];
  }
  return [translateOne(error, root)];
}

function translateOne(error: ErrorObject, root: unknown): FieldError {
  const { path, value } = pathOf(error.instancePath, root);
  const field = path.toString();
  const name = `${field} in body`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return fieldError.required(path.child(String(params.missingProperty)).toString());
    case "type": {
      const wanted = Array.isArray(params.type) ? params.type.join(",") : String(params.type);
      const actual = jsonTypeName(value);
      return fieldError.typeInvalid(
        field,
        actual,
        `${name} must be of type ${wanted}: ${JSON.stringify(actual)}`,
      );
    }
    case "enum":
      return fieldError.notSupported(field, value, params.allowedValues as unknown[]);
    case "maxLength":
      return fieldError.tooLong(field, Number(params.limit));
    case "maxItems":
      return fieldError.tooMany(field, (value as unknown[]).length, Number(params.limit));
    case "maxProperties":
      return fieldError.tooMany(field, Object.keys(value as object).length, Number(params.limit));
    case "minLength":
      return fieldError.invalid(
        field,
        value,
        `${name} should be at least ${String(params.limit)} chars long`,
      );
    case "minItems":
      return fieldError.invalid(field, value, `${name} should have at least ${String(params.limit)} items`);
    case "pattern":
      return fieldError.invalid(field, value, `${name} should match '${String(params.pattern)}'`);
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const words = {
        minimum: "greater than or equal to",
        maximum: "less than or equal to",
        exclusiveMinimum: "greater than",
        exclusiveMaximum: "less than",
      }[error.keyword];
      return fieldError.invalid(field, value, `${name} should be ${words} ${String(params.limit)}`);
    }
    case "format":
      return fieldError.invalid(
        field,
        value,
        `${name} must be of type ${String(params.format)}: ${JSON.stringify(String(value))}`,
      );
    default:
      return fieldError.invalid(field, value, `${name} ${error.message ?? "is invalid"}`);
  }
}

const STRING_CHECK_ORDER = ["maxLength", "minLength", "pattern"];

/** kube-openapi checks a string's maxLength, minLength and pattern in that order and reports only the first failure. */
function firstStringFailures(errors: ErrorObject[]): ErrorObject[] {
  const first = new Map<string, number>();
  for (const error of errors) {
    const rank = STRING_CHECK_ORDER.indexOf(error.keyword);
    if (rank >= 0) first.set(error.instancePath, Math.min(rank, first.get(error.instancePath) ?? rank));
  }
  return errors.filter((error) => {
    const rank = STRING_CHECK_ORDER.indexOf(error.keyword);
    return rank < 0 || rank === first.get(error.instancePath);
  });
}

export class SchemaValidator {
  private static readonly ajv = newAjv();
  private readonly check: ValidateFunction;

  constructor(schema: OpenApiSchema) {
    this.check = SchemaValidator.ajv.compile(forAjv(schema));
  }

  validate(object: unknown): FieldError[] {
    if (this.check(object)) return [];
    return firstStringFailures(this.check.errors ?? []).flatMap((error) => translate(error, object));
  }
}
