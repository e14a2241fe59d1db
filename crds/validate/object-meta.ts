// The apiserver's ObjectMeta checks for a custom resource: name, namespace against the kind's scope, labels,
// annotation keys. Messages follow the apiserver's wording, which is why these few checks are written here.
import { isObject } from "./decode.js";
import { fieldError, type FieldError } from "./field-error.js";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const SUBDOMAIN_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must " +
  "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_RULE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and " +
  "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
  "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is " +
  "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must " +
  "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for " +
  "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function subdomainProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 253) problems.push("must be no more than 253 characters");
  if (!DNS1123_SUBDOMAIN.test(value)) problems.push(SUBDOMAIN_RULE);
  return problems;
}

function qualifiedNameProblems(key: string): string[] {
  const slash = key.lastIndexOf("/");
  const name = slash < 0 ? key : key.slice(slash + 1);
  const problems: string[] = [];
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (prefix.length === 0) problems.push("prefix part must be non-empty");
    else problems.push(...subdomainProblems(prefix).map((p) => `prefix part ${p}`));
  }
  if (name.length === 0) problems.push("name part must be non-empty");
  else if (name.length > 63) problems.push("name part must be no more than 63 characters");
  if (name.length > 0 && !QUALIFIED_NAME_PART.test(name)) problems.push(NAME_PART_RULE);
  return problems;
}

/** The apiserver's words, plus why kubectl never shows them: it strips the namespace of a cluster-scoped kind. */
export const SCOPE_NOTE =
  "not allowed on this type (the kind is cluster-scoped; kubectl apply would drop the namespace silently)";

export function objectMetaErrors(metadata: unknown, namespaced: boolean): FieldError[] {
  if (!isObject(metadata)) return [fieldError.required("metadata.name", "name or generateName is required")];
  const errors: FieldError[] = [];
  const { name, generateName, namespace, labels, annotations } = metadata;
  if (name === undefined || name === null || name === "") {
    if (typeof generateName !== "string" || generateName === "")
      errors.push(fieldError.required("metadata.name", "name or generateName is required"));
  } else if (typeof name !== "string") {
    errors.push(fieldError.typeInvalid("metadata.name", name, "metadata.name must be a string"));
  } else {
    for (const problem of subdomainProblems(name))
      errors.push(fieldError.invalid("metadata.name", name, problem));
  }
  if (namespace !== undefined && namespace !== null && namespace !== "") {
    if (!namespaced) errors.push(fieldError.forbidden("metadata.namespace", SCOPE_NOTE));
    else if (typeof namespace !== "string" || namespace.length > 63 || !DNS1123_LABEL.test(namespace))
      errors.push(fieldError.invalid("metadata.namespace", namespace, LABEL_RULE));
  }
  errors.push(
    ...stringMapErrors("metadata.labels", "label", labels, (value) => {
      if (value.length > 63) return "must be no more than 63 characters";
      return LABEL_VALUE.test(value) ? undefined : LABEL_VALUE_RULE;
    }),
    ...stringMapErrors("metadata.annotations", "annotation", annotations, () => undefined),
  );
  return errors;
}

/** A labels or annotations map: qualified-name keys, string values, each value checked by `valueProblem`. */
function stringMapErrors(
  field: string,
  entry: string,
  map: unknown,
  valueProblem: (value: string) => string | undefined,
): FieldError[] {
  if (map === undefined || map === null) return [];
  if (!isObject(map)) return [fieldError.typeInvalid(field, map, `${entry}s must be a map`)];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(map)) {
    for (const problem of qualifiedNameProblems(key)) errors.push(fieldError.invalid(field, key, problem));
    if (typeof value !== "string") {
      errors.push(fieldError.typeInvalid(field, value, `the value of ${entry} ${key} must be a string`));
      continue;
    }
    const problem = valueProblem(value);
    if (problem !== undefined) errors.push(fieldError.invalid(field, value, problem));
  }
  return errors;
}
