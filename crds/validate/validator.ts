// The offline verdict on one manifest object, in the order the apiserver reaches its own: scope and kind lookup,
// strict decoding, defaulting, schema + metadata + scale + list checks, then CEL rules when nothing blocks them.
import { celErrors } from "./cel-validation.js";
import type { CrdCatalog, ServedKind } from "./crd-catalog.js";
import { isObject, pruneNullsAndDefault, unknownFields } from "./decode.js";
import { CEL_SKIPPED, fieldError, invalidObjectMessage, isBlocking, type FieldError } from "./field-error.js";
import { listTypeErrors } from "./list-types.js";
import { objectMetaErrors } from "./object-meta.js";
import { scaleSpecErrors } from "./scale-spec.js";
import { SchemaValidator } from "./schema-validation.js";

export type VerdictStatus = "valid" | "invalid" | "skipped";

export interface ObjectVerdict {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  status: VerdictStatus;
  /** One line shaped like the apiserver's answer; for skipped objects, why they were skipped. */
  message: string;
  errors: FieldError[];
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export class ManifestValidator {
  private readonly validators = new Map<ServedKind, SchemaValidator>();

  constructor(private readonly catalog: CrdCatalog) {}

  private schemaValidator(served: ServedKind): SchemaValidator {
    let validator = this.validators.get(served);
    if (!validator) {
      validator = new SchemaValidator(served.schema);
      this.validators.set(served, validator);
    }
    return validator;
  }

  validate(object: unknown): ObjectVerdict {
    if (!isObject(object)) {
      const error = fieldError.invalid("<nil>", null, "the document is not a Kubernetes object");
      return {
        status: "invalid",
        message: `not a Kubernetes object: a mapping with apiVersion and kind`,
        errors: [error],
      };
    }
    const metadata = isObject(object.metadata) ? object.metadata : {};
    const verdict: ObjectVerdict = {
      apiVersion: text(object.apiVersion),
      kind: text(object.kind),
      name: text(metadata.name),
      namespace: text(metadata.namespace),
      status: "valid",
      message: "",
      errors: [],
    };
    if (!verdict.apiVersion || !verdict.kind) {
      const missing = verdict.kind ? "apiVersion" : "kind";
      verdict.errors = [fieldError.required(missing)];
      return {
        ...verdict,
        status: "invalid",
        message: `Object '${missing === "kind" ? "Kind" : missing}' is missing`,
      };
    }
    const slash = verdict.apiVersion.indexOf("/");
    const group = slash < 0 ? "" : verdict.apiVersion.slice(0, slash);
    const version = verdict.apiVersion.slice(slash + 1);
    const served = this.catalog.lookup(group, version, verdict.kind);
    if (!served) {
      if (!this.catalog.ownsGroup(group))
        return { ...verdict, status: "skipped", message: `not a kind of these CRDs (${verdict.apiVersion})` };
      const message = `no matches for kind ${JSON.stringify(verdict.kind)} in version ${JSON.stringify(verdict.apiVersion)}`;
      return {
        ...verdict,
        status: "invalid",
        message,
        errors: [fieldError.invalid("kind", verdict.kind, message)],
      };
    }
    return this.validateServed(object, served, verdict);
  }

  private validateServed(
    object: Record<string, unknown>,
    served: ServedKind,
    verdict: ObjectVerdict,
  ): ObjectVerdict {
    const unknown = unknownFields(object, served.schema);
    if (unknown.length > 0) {
      const list = unknown.map((path) => `unknown field ${JSON.stringify(path)}`).join(", ");
      return {
        ...verdict,
        status: "invalid",
        message: `${served.kind} in version ${JSON.stringify(served.version)} cannot be handled as a ${served.kind}: strict decoding error: ${list}`,
        errors: unknown.map((field) => ({ type: "UnknownField", field, message: "Unknown field" })),
      };
    }
    const body = { ...object };
    if (served.statusSubresource) delete body.status;
    const decoded = pruneNullsAndDefault(body, served.schema);
    const errors = [
      ...objectMetaErrors(decoded.metadata, served.namespaced),
      ...this.schemaValidator(served).validate(decoded),
      ...(served.specReplicasPath !== undefined ? scaleSpecErrors(decoded, served.specReplicasPath) : []),
      ...listTypeErrors(decoded, served.schema),
    ];
    if (errors.some(isBlocking)) errors.push(CEL_SKIPPED);
    else errors.push(...celErrors(decoded, served.schema));
    if (errors.length === 0) return { ...verdict, status: "valid", message: "valid" };
    return {
      ...verdict,
      status: "invalid",
      message: invalidObjectMessage(served.kind, served.group, verdict.name ?? "", errors),
      errors,
    };
  }
}
