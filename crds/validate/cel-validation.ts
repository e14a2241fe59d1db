// Evaluates every x-kubernetes-validations rule at its node with `self` bound, as the apiserver does on create.
import { celEnv, isCelError, parse, plan, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import type { OpenApiSchema, ValidationRule } from "../schema/openapi.js";
import { isObject } from "./decode.js";
import { fieldError, FieldPath, type FieldError } from "./field-error.js";

type Program = ReturnType<typeof plan>;

const environment = celEnv({ funcs: strings });
const programs = new Map<string, Program | Error>();

function compile(rule: string): Program | Error {
  let program = programs.get(rule);
  if (!program) {
    try {
      program = plan(environment, parse(rule));
    } catch (error) {
      program = error instanceof Error ? error : new Error(String(error));
    }
    programs.set(rule, program);
  }
  return program;
}

/** Rules comparing with oldSelf only run on update; an offline check is always a create. */
export function isTransitionRule(rule: string): boolean {
  return /\boldSelf\b/.test(rule);
}

/** JSON as CEL sees it under a structural schema: integers are CEL ints, objects are maps of known fields. */
function toCel(value: unknown, schema: OpenApiSchema | undefined): CelInput {
  if (Array.isArray(value)) return value.map((item) => toCel(item, schema?.items));
  if (isObject(value)) {
    const map = new Map<string, CelInput>();
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema?.properties?.[key] ?? schema?.additionalProperties;
      if (childSchema || !schema?.properties) map.set(key, toCel(child, childSchema));
    }
    return map;
  }
  if (typeof value === "number" && Number.isInteger(value) && schema?.type !== "number") return BigInt(value);
  return value as CelInput;
}

function schemaTypeName(schema: OpenApiSchema): string {
  return schema.type ?? "";
}

function ruleText(rule: ValidationRule): string {
  return rule.message?.trim() || rule.rule.trim();
}

function failure(rule: ValidationRule, path: FieldPath, schema: OpenApiSchema): FieldError {
  let target = path;
  for (const segment of (rule.fieldPath ?? "").split(".").filter((s) => s !== ""))
    target = target.child(segment);
  const field = target.toString();
  const detail = rule.message?.trim() || `failed rule: ${rule.rule.trim()}`;
  switch (rule.reason) {
    case "FieldValueForbidden":
      return fieldError.forbidden(field, detail);
    case "FieldValueRequired":
      return fieldError.required(field, detail);
    case "FieldValueDuplicate":
      return fieldError.duplicate(field, schemaTypeName(schema));
    default:
      return fieldError.invalid(field, schemaTypeName(schema), detail);
  }
}

function evaluateRules(value: unknown, schema: OpenApiSchema, path: FieldPath, errors: FieldError[]): void {
  const rules = schema["x-kubernetes-validations"] ?? [];
  if (rules.length === 0) return;
  const self = toCel(value, schema);
  for (const rule of rules) {
    if (isTransitionRule(rule.rule)) continue;
    const program = compile(rule.rule);
    if (program instanceof Error) {
      errors.push(
        fieldError.internal(
          path.toString(),
          `rule ${JSON.stringify(rule.rule)} does not compile: ${program.message}`,
        ),
      );
      continue;
    }
    const result = program({ self });
    if (isCelError(result)) {
      errors.push(
        fieldError.invalid(
          path.toString(),
          schemaTypeName(schema),
          `${result.message} evaluating rule: ${ruleText(rule)}`,
        ),
      );
    } else if (result !== true) {
      errors.push(failure(rule, path, schema));
    }
  }
}

export function celErrors(value: unknown, schema: OpenApiSchema, path = FieldPath.root()): FieldError[] {
  const errors: FieldError[] = [];
  if (value === undefined) return errors;
  evaluateRules(value, schema, path, errors);
  if (Array.isArray(value)) {
    if (schema.items)
      value.forEach((item, i) => errors.push(...celErrors(item, schema.items!, path.index(i))));
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const property = schema.properties?.[key];
      // The apiserver names a map entry by its key in brackets (field.Path.Key), a property by a dot.
      if (property) errors.push(...celErrors(child, property, path.child(key)));
      else if (schema.additionalProperties)
        errors.push(...celErrors(child, schema.additionalProperties, path.key(key)));
    }
  }
  return errors;
}

/** Every rule of a schema, with where it sits, so tests can prove each one compiles. */
export function rulesOf(schema: OpenApiSchema, path = "self"): { path: string; rule: ValidationRule }[] {
  const found = (schema["x-kubernetes-validations"] ?? []).map((rule) => ({ path, rule }));
  for (const [key, child] of Object.entries(schema.properties ?? {}))
    found.push(...rulesOf(child, `${path}.${key}`));
  if (schema.items) found.push(...rulesOf(schema.items, `${path}[*]`));
  if (schema.additionalProperties) found.push(...rulesOf(schema.additionalProperties, `${path}[*]`));
  return found;
}

export function compileError(rule: string): string | undefined {
  const program = compile(rule);
  return program instanceof Error ? program.message : undefined;
}
