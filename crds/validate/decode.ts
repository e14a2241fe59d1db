// What the apiserver does to a custom resource body before validating it: strict decoding reports fields the
// schema does not know (kubectl's default field validation is Strict), nulls of non-nullable fields are dropped,
// and schema defaults are filled in. Written here because no JavaScript library implements apiserver decoding.
import type { OpenApiSchema } from "../schema/openapi.js";
import { FieldPath } from "./field-error.js";

type JsonObject = Record<string, unknown>;

const OBJECT_META_FIELDS = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);
const OWNER_REFERENCE_FIELDS = new Set([
  "apiVersion",
  "kind",
  "name",
  "uid",
  "controller",
  "blockOwnerDeletion",
]);

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Paths of fields the schema does not define, sorted, as `strict decoding error: unknown field "…"` names them. */
export function unknownFields(object: JsonObject, schema: OpenApiSchema): string[] {
  const found: string[] = [];
  const root = FieldPath.root();
  for (const [key, value] of Object.entries(object)) {
    if (key === "apiVersion" || key === "kind") continue;
    if (key === "metadata") unknownMetadataFields(value, root.child("metadata"), found);
    else if (schema.properties?.[key]) walk(value, schema.properties[key], root.child(key), found);
    else found.push(root.child(key).toString());
  }
  return found.sort();
}

function unknownMetadataFields(metadata: unknown, path: FieldPath, found: string[]): void {
  if (!isObject(metadata)) return;
  for (const [key, value] of Object.entries(metadata)) {
    if (!OBJECT_META_FIELDS.has(key)) found.push(path.child(key).toString());
    else if (key === "ownerReferences" && Array.isArray(value)) {
      value.forEach((reference, i) => {
        if (!isObject(reference)) return;
        for (const field of Object.keys(reference))
          if (!OWNER_REFERENCE_FIELDS.has(field))
            found.push(path.child(key).index(i).child(field).toString());
      });
    }
  }
}

function walk(value: unknown, schema: OpenApiSchema, path: FieldPath, found: string[]): void {
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => walk(item, schema.items!, path.index(i), found));
    return;
  }
  if (!isObject(value)) return;
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  for (const [key, child] of Object.entries(value)) {
    const known = schema.properties?.[key] ?? schema.additionalProperties;
    if (known) walk(child, known, path.child(key), found);
    else if (!preserve) found.push(path.child(key).toString());
  }
}

/** A copy of the object with nulls of non-nullable fields dropped and schema defaults filled in. */
export function pruneNullsAndDefault(object: JsonObject, schema: OpenApiSchema): JsonObject {
  return applyDefaults(object, schema) as JsonObject;
}

function applyDefaults(value: unknown, schema: OpenApiSchema): unknown {
  if (Array.isArray(value))
    return schema.items ? value.map((item) => applyDefaults(item, schema.items!)) : value;
  if (!isObject(value)) return value;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const childSchema = schema.properties?.[key] ?? schema.additionalProperties;
    if (!childSchema) result[key] = child;
    else if (child !== null || childSchema.nullable === true) result[key] = applyDefaults(child, childSchema);
    else if (childSchema.default !== undefined)
      result[key] = applyDefaults(structuredClone(childSchema.default), childSchema);
  }
  for (const [key, childSchema] of Object.entries(schema.properties ?? {})) {
    if (result[key] === undefined && childSchema.default !== undefined)
      result[key] = applyDefaults(structuredClone(childSchema.default), childSchema);
  }
  return result;
}
