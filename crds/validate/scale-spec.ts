// The scale subresource's check on create (ValidateScaleSpec): the value at specReplicasPath must be a
// non-negative int64, or the apiserver refuses the object with these words before any CEL rule runs.
import { isObject } from "./decode.js";
import { fieldError, type FieldError } from "./field-error.js";

/** Go's %T of a decoded JSON value, as unstructured's accessor error prints it. */
function goType(value: unknown): string {
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return "float64";
  if (Array.isArray(value)) return "[]interface {}";
  return "map[string]interface {}";
}

export function scaleSpecErrors(object: Record<string, unknown>, specReplicasPath: string): FieldError[] {
  const path = specReplicasPath.split(".").slice(1);
  let value: unknown = object;
  for (const key of path) {
    if (!isObject(value) || !(key in value)) return [];
    value = value[key];
  }
  if (value === null) return [];
  if (typeof value !== "number" || !Number.isInteger(value)) {
    const shown =
      typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
    return [
      fieldError.invalid(
        specReplicasPath,
        0,
        `${specReplicasPath} accessor error: ${shown} is of the type ${goType(value)}, expected int64`,
      ),
    ];
  }
  return value < 0 ? [fieldError.invalid(specReplicasPath, value, "should be a non-negative integer")] : [];
}
