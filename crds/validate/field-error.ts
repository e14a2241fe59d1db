// Field errors worded as the apiserver words them (k8s.io/apimachinery field.Error), so offline verdicts read
// like the ones `kubectl apply` prints.

export type FieldErrorType =
  | "FieldValueRequired"
  | "FieldValueDuplicate"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueTypeInvalid"
  | "InternalError"
  /** Strict decoding: a field the schema does not define (the apiserver answers 400 BadRequest). */
  | "UnknownField";

export interface FieldError {
  type: FieldErrorType;
  /** Dotted path as the apiserver prints it, e.g. spec.template.spec.ports[0].containerPort; "<nil>" for none. */
  field: string;
  /** Text after the field name, e.g. `Invalid value: 0: replicas must be at least 1`. */
  message: string;
}

const TYPE_WORDS: Record<FieldErrorType, string> = {
  FieldValueRequired: "Required value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  FieldValueTypeInvalid: "Invalid value",
  InternalError: "Internal error",
  UnknownField: "Unknown field",
};

/** 32 bytes of hex: what a secp256k1 private key looks like when pasted where it does not belong. */
const LOOKS_LIKE_PRIVATE_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

/** A value printed as Go's %v / %q / %#v would print the decoded JSON; key-like text is never echoed. */
export function goValue(value: unknown): string {
  // field.Error prints a nil value as the quoted string "null".
  if (value === null || value === undefined) return '"null"';
  if (typeof value === "string")
    return JSON.stringify(
      LOOKS_LIKE_PRIVATE_KEY.test(value) ? "<redacted: looks like a private key>" : value,
    );
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (Array.isArray(value)) return `[]interface {}{${value.map(goValue).join(", ")}}`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `map[string]interface {}{${entries.map(([k, v]) => `${JSON.stringify(k)}:${goValue(v)}`).join(", ")}}`;
}

function make(
  type: FieldErrorType,
  field: string,
  value: unknown,
  detail: string,
  showValue: boolean,
): FieldError {
  let message = TYPE_WORDS[type];
  if (showValue) message += `: ${goValue(value)}`;
  if (detail !== "") message += `: ${detail}`;
  return { type, field, message };
}

export const fieldError = {
  required: (field: string, detail = "") => make("FieldValueRequired", field, undefined, detail, false),
  forbidden: (field: string, detail: string) => make("FieldValueForbidden", field, undefined, detail, false),
  invalid: (field: string, value: unknown, detail: string) =>
    make("FieldValueInvalid", field, value, detail, true),
  typeInvalid: (field: string, value: unknown, detail: string) =>
    make("FieldValueTypeInvalid", field, value, detail, true),
  duplicate: (field: string, value: unknown) => make("FieldValueDuplicate", field, value, "", true),
  notSupported: (field: string, value: unknown, supported: readonly unknown[]) =>
    make(
      "FieldValueNotSupported",
      field,
      value,
      supported.length > 0
        ? `supported values: ${supported.map((v) => JSON.stringify(typeof v === "string" ? v : JSON.stringify(v))).join(", ")}`
        : "",
      true,
    ),
  tooLong: (field: string, maxLength: number) =>
    make("FieldValueTooLong", field, undefined, `may not be more than ${maxLength} bytes`, false),
  tooMany: (field: string, actual: number, max: number) =>
    make("FieldValueTooMany", field, actual, `must have at most ${max} items`, true),
  internal: (field: string, detail: string) => make("InternalError", field, undefined, detail, false),
};

/** The apiserver's one-line rendering of one error. */
export function formatFieldError(error: FieldError): string {
  return `${error.field}: ${error.message}`;
}

/** Errors that stop the apiserver from running CEL rules (apiextensions hasBlockingErr). */
export function isBlocking(error: FieldError): boolean {
  return (
    error.type === "FieldValueNotSupported" ||
    error.type === "FieldValueRequired" ||
    error.type === "FieldValueTooLong" ||
    error.type === "FieldValueTooMany" ||
    error.type === "FieldValueTypeInvalid"
  );
}

export const CEL_SKIPPED = fieldError.invalid(
  "<nil>",
  null,
  "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
);

/** `Kind.group "name" is invalid: …`, one error plain, several in brackets, duplicates dropped. */
export function invalidObjectMessage(
  kind: string,
  group: string,
  name: string,
  errors: FieldError[],
): string {
  const lines = [...new Set(errors.map(formatFieldError))];
  const head = `${kind}.${group} ${JSON.stringify(name)} is invalid`;
  if (lines.length === 0) return head;
  return lines.length === 1 ? `${head}: ${lines[0]}` : `${head}: [${lines.join(", ")}]`;
}

/** Field paths: child names joined by dots, list positions and map keys in brackets, like field.Path.String(). */
export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(): FieldPath {
    return new FieldPath("");
  }

  child(name: string): FieldPath {
    return new FieldPath(this.text === "" ? name : `${this.text}.${name}`);
  }

  key(name: string): FieldPath {
    return new FieldPath(`${this.text}[${name}]`);
  }

  index(position: number): FieldPath {
    return new FieldPath(`${this.text}[${position}]`);
  }

  toString(): string {
    return this.text === "" ? "<nil>" : this.text;
  }
}
