// The subset of the apiextensions.k8s.io/v1 JSONSchemaProps used by the uranus.io CRDs, with small builders
// that make the bounds (which CEL cost estimation needs) and descriptions hard to forget.

export type FieldValueErrorReason =
  "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";

export interface ValidationRule {
  rule: string;
  message?: string;
  fieldPath?: string;
  reason?: FieldValueErrorReason;
}

export interface OpenApiSchema {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  description?: string;
  format?: string;
  enum?: (string | number | boolean)[];
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  nullable?: boolean;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema;
  anyOf?: OpenApiSchema[];
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
  "x-kubernetes-validations"?: ValidationRule[];
}

type Extra = Omit<OpenApiSchema, "type" | "description" | "properties" | "required" | "items">;

function withRules(schema: OpenApiSchema, rules: ValidationRule[] | undefined): OpenApiSchema {
  return rules && rules.length > 0 ? { ...schema, "x-kubernetes-validations": rules } : schema;
}

export function string(description: string, extra: Extra & { maxLength: number }, rules?: ValidationRule[]) {
  return withRules({ type: "string", description, ...extra }, rules);
}

export function enumeration(
  description: string,
  values: readonly string[],
  extra: Extra = {},
): OpenApiSchema {
  return { type: "string", description, enum: [...values], ...extra };
}

export function integer(
  description: string,
  extra: Extra & { maximum: number },
  rules?: ValidationRule[],
): OpenApiSchema {
  return withRules({ type: "integer", format: "int64", description, ...extra }, rules);
}

export function boolean(description: string, extra: Extra = {}): OpenApiSchema {
  return { type: "boolean", description, ...extra };
}

export function object(
  description: string,
  properties: Record<string, OpenApiSchema>,
  options: { required?: string[]; rules?: ValidationRule[] } = {},
): OpenApiSchema {
  const schema: OpenApiSchema = { type: "object", description, properties };
  if (options.required && options.required.length > 0) schema.required = options.required;
  return withRules(schema, options.rules);
}

export function array(
  description: string,
  items: OpenApiSchema,
  extra: Extra & { maxItems: number },
  rules?: ValidationRule[],
): OpenApiSchema {
  return withRules({ type: "array", description, items, ...extra }, rules);
}
