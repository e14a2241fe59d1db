// The names Kubernetes checks when a Pod is created (label keys and values, namespaces, env var and port names),
// as schema fragments, so a PowerContainer is refused on apply instead of its Pod being refused later.
// CEL literals cannot hold backslashes (cel-go refuses them), so every regex here spells '.' as [.].
import type { OpenApiSchema, ValidationRule } from "./openapi.js";
import { string } from "./openapi.js";

const SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

export const KUBE_PATTERN = {
  /** IsQualifiedName: an optional DNS subdomain prefix and '/', then a name part of at most 63 characters. */
  qualifiedName: `^(${SUBDOMAIN}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`,
  /** IsValidLabelValue: empty, or up to 63 alphanumerics, '-', '_', '.', starting and ending alphanumeric. */
  labelValue: "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$",
  /** IsEnvVarName (the strict form, which every apiserver version accepts). */
  envVarName: "^[-._a-zA-Z][-._a-zA-Z0-9]*$",
  /** IsConfigMapKey, which Secret keys follow too. */
  secretKey: "^[-._a-zA-Z0-9]+$",
  /** IsValidPortName (IANA_SVC_NAME): a-z, 0-9 and single inner hyphens; at least one letter (a second rule). */
  portName: "^[a-z0-9](-?[a-z0-9])*$",
  dnsLabel: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
  dnsSubdomain: `^${SUBDOMAIN}$`,
  /** What the scheduler's Gt/Lt parse (strconv.ParseInt), kept within int64 by the digit count. */
  integer: "^[-+]?[0-9]{1,18}$",
} as const;

const QUALIFIED_NAME_TEXT =
  "an optional DNS subdomain prefix (at most 253 characters) and '/', then a name of at most 63 alphanumeric " +
  "characters, '-', '_' or '.' that starts and ends with an alphanumeric character (e.g. 'example.com/my-key')";

/** CEL that is true when `value` (a string expression) is a qualified name. */
export function qualifiedNameCel(value: string): string {
  return (
    `${value}.matches('${KUBE_PATTERN.qualifiedName}') && ` +
    `(!${value}.contains('/') || ${value}.indexOf('/') <= 253)`
  );
}

/** Label keys, selector keys and topology keys: a qualified name, checked by CEL so the message reads well. */
export function qualifiedName(description: string, field: string): OpenApiSchema {
  return string(`${description} A qualified name, as Kubernetes label keys are.`, { maxLength: 317 }, [
    { rule: "size(self) > 0", message: `${field} must not be empty` },
    {
      // An empty value has its own message above.
      rule: `size(self) == 0 || ${qualifiedNameCel("self")}`,
      message: `${field} must be a qualified name: ${QUALIFIED_NAME_TEXT}`,
    },
  ]);
}

/** A label value (also a selector value): empty, or at most 63 characters of the label value alphabet. */
export function labelValue(description: string): OpenApiSchema {
  return string(
    `${description} A label value: empty, or at most 63 alphanumeric characters, '-', '_' or '.', starting and ` +
      "ending with an alphanumeric character.",
    { maxLength: 63, pattern: KUBE_PATTERN.labelValue },
  );
}

/** Labels (of a pod template or a selector): qualified-name keys, label values. */
export function labelMap(description: string, field: string, maxProperties: number): OpenApiSchema {
  return {
    type: "object",
    description: `${description} Keys are qualified names; values are label values.`,
    additionalProperties: labelValue("Label value."),
    maxProperties,
    "x-kubernetes-validations": [
      {
        rule: `self.all(key, ${qualifiedNameCel("key")})`,
        message: `every key of ${field} must be a qualified name: ${QUALIFIED_NAME_TEXT}`,
      },
    ],
  };
}

/** Annotations: keys are qualified names once lower-cased (as ValidateAnnotations checks them). */
export function annotationMap(description: string, field: string, maxProperties: number): OpenApiSchema {
  return {
    type: "object",
    description: `${description} Keys are qualified names (upper case letters allowed).`,
    additionalProperties: string("Annotation value.", { maxLength: 4096 }),
    maxProperties,
    "x-kubernetes-validations": [
      {
        rule: `self.all(key, ${qualifiedNameCel("key.lowerAscii()")})`,
        message: `every key of ${field} must be a qualified name: ${QUALIFIED_NAME_TEXT}`,
      },
    ],
  };
}

/** Names that must not be '.', '..' or start with '..' (env var names, Secret keys: they may become paths). */
export function notDotPath(field: string): ValidationRule {
  return {
    rule: "self != '.' && !self.startsWith('..')",
    message: `${field} must not be '.' or start with '..'`,
  };
}

export function namespaceName(description: string): OpenApiSchema {
  return string(`${description} A namespace name: a DNS label of at most 63 characters.`, {
    maxLength: 63,
    pattern: KUBE_PATTERN.dnsLabel,
  });
}

/** A root rule keeping metadata.name short enough to become a label value (at most 63 characters) on the Pod. */
export function nameFitsLabel(max: number, why: string): ValidationRule {
  return {
    rule: `!has(self.metadata.name) || size(self.metadata.name) <= ${max}`,
    message: `metadata.name must be at most ${max} characters: ${why}`,
    // The apiserver takes only fields the schema declares as fieldPath, and metadata's own are not declared.
    fieldPath: ".metadata",
  };
}
