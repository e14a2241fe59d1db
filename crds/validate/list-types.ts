// x-kubernetes-list-type invariants: items of a "set" are unique, and so are the key tuples of a "map".
// (A Kubernetes extension that JSON Schema validators do not know, hence written here.)
import type { OpenApiSchema } from "../schema/openapi.js";
import { isObject } from "./decode.js";
import { fieldError, FieldPath, type FieldError } from "./field-error.js";

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function duplicatesIn(list: unknown[], schema: OpenApiSchema, path: FieldPath): FieldError[] {
  const type = schema["x-kubernetes-list-type"];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    let identity: unknown = item;
    if (type === "map") {
      if (!isObject(item)) return;
      const keys = schema["x-kubernetes-list-map-keys"] ?? [];
      identity = Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k]]));
    }
    const key = canonical(identity);
    if (seen.has(key)) errors.push(fieldError.duplicate(path.index(i).toString(), identity));
    seen.add(key);
  });
  return errors;
}

export function listTypeErrors(value: unknown, schema: OpenApiSchema, path = FieldPath.root()): FieldError[] {
  const errors: FieldError[] = [];
  if (Array.isArray(value)) {
    const type = schema["x-kubernetes-list-type"];
    if (type === "set" || type === "map") errors.push(...duplicatesIn(value, schema, path));
    if (schema.items)
      value.forEach((item, i) => errors.push(...listTypeErrors(item, schema.items!, path.index(i))));
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[key] ?? schema.additionalProperties;
      if (childSchema) errors.push(...listTypeErrors(child, childSchema, path.child(key)));
    }
  }
  return errors;
}
