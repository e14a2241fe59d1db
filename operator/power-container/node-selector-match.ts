// Whether a Node satisfies a required node affinity, as kube-scheduler decides it. Own code: client-node ships
// the types but no matcher, and the rules (terms ORed, requirements ANDed) are a few lines.
import type { V1Node, V1NodeSelector, V1NodeSelectorRequirement } from "@kubernetes/client-node";

function integerValue(values: readonly string[] | undefined): number | undefined {
  if (values?.length !== 1 || !/^-?\d+$/.test(values[0]!)) return undefined;
  return Number(values[0]);
}

function requirementHolds(requirement: V1NodeSelectorRequirement, value: string | undefined): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const bound = integerValue(values);
      if (value === undefined || bound === undefined || !/^-?\d+$/.test(value)) return false;
      return requirement.operator === "Gt" ? Number(value) > bound : Number(value) < bound;
    }
    default:
      return false;
  }
}

/** True when the node matches at least one term; an absent or empty selector matches every node. */
export function nodeMatchesSelector(selector: V1NodeSelector | undefined, node: V1Node): boolean {
  const terms = selector?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return true;
  const labels = node.metadata?.labels ?? {};
  const fields: Record<string, string | undefined> = { "metadata.name": node.metadata?.name };
  return terms.some((term) => {
    const expressions = term.matchExpressions ?? [];
    const matchFields = term.matchFields ?? [];
    // A term with no requirements selects nothing, as in kube-scheduler.
    if (expressions.length === 0 && matchFields.length === 0) return false;
    return (
      expressions.every((requirement) => requirementHolds(requirement, labels[requirement.key])) &&
      matchFields.every((requirement) => requirementHolds(requirement, fields[requirement.key]))
    );
  });
}
