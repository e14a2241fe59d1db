// Native Kubernetes affinity (core/v1 Affinity) with the checks Pod validation makes, so a bad term is refused
// when the PowerContainer or ComputeContract is applied rather than when the operator creates the Pod.
import type { OpenApiSchema, ValidationRule } from "./openapi.js";
import { array, enumeration, integer, object, string } from "./openapi.js";
import { KUBE_PATTERN, labelMap, labelValue, namespaceName, qualifiedName } from "./kube-names.js";

const NODE_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"] as const;
const LABEL_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;

// Bounds keep the CEL cost estimate (rule cost times the lists around it) far inside the apiserver's budget.
const MAX_TERMS = 8;
const MAX_WEIGHTED_TERMS = 16;
const MAX_REQUIREMENTS = 16;
const MAX_VALUES = 64;
const MAX_LABEL_KEYS = 16;

const VALUES_REQUIRED: ValidationRule = {
  rule: "!(self.operator in ['In', 'NotIn']) || (has(self.values) && size(self.values) > 0)",
  message: "values must be given when operator is In or NotIn",
  fieldPath: ".values",
  reason: "FieldValueRequired",
};

const VALUES_FORBIDDEN: ValidationRule = {
  rule: "!(self.operator in ['Exists', 'DoesNotExist']) || !has(self.values) || size(self.values) == 0",
  message: "values may not be given when operator is Exists or DoesNotExist",
  fieldPath: ".values",
  reason: "FieldValueForbidden",
};

function weight(): OpenApiSchema {
  return integer("Weight of this term among the preferred ones, 1 to 100.", {
    format: "int32",
    minimum: 1,
    maximum: 100,
  });
}

function nodeSelectorRequirement(): OpenApiSchema {
  return object(
    "A requirement on a node label: key, operator and values.",
    {
      key: qualifiedName("The node label key.", "key"),
      operator: enumeration("How the label relates to the values.", NODE_OPERATORS),
      values: array(
        "Values to compare with: one or more for In and NotIn, none for Exists and DoesNotExist, exactly one " +
          "integer for Gt and Lt.",
        string("A value.", { maxLength: 63 }),
        { maxItems: MAX_VALUES },
      ),
    },
    {
      required: ["key", "operator"],
      rules: [
        VALUES_REQUIRED,
        VALUES_FORBIDDEN,
        {
          rule:
            "!(self.operator in ['Gt', 'Lt']) || " +
            `(has(self.values) && size(self.values) == 1 && self.values[0].matches('${KUBE_PATTERN.integer}'))`,
          message: "values must be a single integer when operator is Gt or Lt",
          fieldPath: ".values",
        },
      ],
    },
  );
}

function nodeFieldRequirement(): OpenApiSchema {
  return object(
    "A requirement on a node field; metadata.name is the only field Kubernetes selects nodes by.",
    {
      key: enumeration("The node field.", ["metadata.name"]),
      operator: enumeration("In or NotIn.", ["In", "NotIn"]),
      values: array(
        "Exactly one node name.",
        string("A node name.", { maxLength: 253, pattern: KUBE_PATTERN.dnsSubdomain }),
        { maxItems: MAX_VALUES },
      ),
    },
    {
      required: ["key", "operator"],
      rules: [
        {
          rule: "has(self.values) && size(self.values) == 1",
          message: "values must hold exactly one node name for a node field selector",
          fieldPath: ".values",
          reason: "FieldValueRequired",
        },
      ],
    },
  );
}

function nodeSelectorTerm(description: string): OpenApiSchema {
  return object(description, {
    matchExpressions: array(
      "Requirements on node labels, all of which must hold.",
      nodeSelectorRequirement(),
      {
        maxItems: MAX_REQUIREMENTS,
      },
    ),
    matchFields: array("Requirements on node fields, all of which must hold.", nodeFieldRequirement(), {
      maxItems: 4,
    }),
  });
}

function nodeAffinity(): OpenApiSchema {
  return object("Which nodes the pod may or prefers to run on, by node labels and fields.", {
    requiredDuringSchedulingIgnoredDuringExecution: object(
      "Nodes the pod may run on: any of the terms must match.",
      {
        nodeSelectorTerms: array(
          "The terms, ORed; at least one.",
          nodeSelectorTerm("One term: its requirements are ANDed."),
          { maxItems: MAX_TERMS },
        ),
      },
      {
        required: ["nodeSelectorTerms"],
        rules: [
          {
            rule: "size(self.nodeSelectorTerms) > 0",
            message: "nodeSelectorTerms must have at least one node selector term",
            fieldPath: ".nodeSelectorTerms",
            reason: "FieldValueRequired",
          },
        ],
      },
    ),
    preferredDuringSchedulingIgnoredDuringExecution: array(
      "Nodes the pod prefers: the node with the greatest sum of weights of matching terms wins.",
      object(
        "A weighted preference.",
        { weight: weight(), preference: nodeSelectorTerm("The preference: its requirements are ANDed.") },
        { required: ["weight", "preference"] },
      ),
      { maxItems: MAX_WEIGHTED_TERMS },
    ),
  });
}

function labelSelector(description: string, field: string): OpenApiSchema {
  const requirement = object(
    "A requirement on a label: key, operator and values.",
    {
      key: qualifiedName("The label key.", "key"),
      operator: enumeration("How the label relates to the values.", LABEL_OPERATORS),
      values: array(
        "Values: one or more for In and NotIn, none for Exists and DoesNotExist.",
        labelValue("A value."),
        { maxItems: MAX_VALUES },
      ),
    },
    { required: ["key", "operator"], rules: [VALUES_REQUIRED, VALUES_FORBIDDEN] },
  );
  return object(`${description} Its matchLabels and matchExpressions are ANDed.`, {
    matchLabels: labelMap("Labels that must all be present with these values.", `${field}.matchLabels`, 32),
    matchExpressions: array("Requirements that must all hold.", requirement, { maxItems: MAX_REQUIREMENTS }),
  });
}

function labelKeys(description: string): OpenApiSchema {
  return array(description, qualifiedName("A pod label key.", "a label key"), { maxItems: MAX_LABEL_KEYS });
}

function podAffinityTerm(description: string): OpenApiSchema {
  return object(
    description,
    {
      labelSelector: labelSelector("Which pods this term is about.", "labelSelector"),
      namespaceSelector: labelSelector("Namespaces, by their labels, whose pods count.", "namespaceSelector"),
      namespaces: array(
        "Namespaces whose pods count; none means the pod's own.",
        namespaceName("A namespace."),
        {
          maxItems: 32,
        },
      ),
      topologyKey: qualifiedName(
        "Node label whose equal values form one topology domain, such as kubernetes.io/hostname.",
        "topologyKey",
      ),
      matchLabelKeys: labelKeys("Pod label keys whose values the selected pods must share with this pod."),
      mismatchLabelKeys: labelKeys(
        "Pod label keys whose values the selected pods must not share with this pod.",
      ),
    },
    {
      required: ["topologyKey"],
      rules: [
        {
          rule: "!has(self.matchLabelKeys) || size(self.matchLabelKeys) == 0 || has(self.labelSelector)",
          message: "matchLabelKeys must not be given when labelSelector is not set",
          fieldPath: ".matchLabelKeys",
          reason: "FieldValueForbidden",
        },
        {
          rule: "!has(self.mismatchLabelKeys) || size(self.mismatchLabelKeys) == 0 || has(self.labelSelector)",
          message: "mismatchLabelKeys must not be given when labelSelector is not set",
          fieldPath: ".mismatchLabelKeys",
          reason: "FieldValueForbidden",
        },
        {
          rule:
            "!has(self.matchLabelKeys) || !has(self.mismatchLabelKeys) || " +
            "!self.matchLabelKeys.exists(k, k in self.mismatchLabelKeys)",
          message: "a key may not be in both matchLabelKeys and mismatchLabelKeys",
          fieldPath: ".matchLabelKeys",
        },
        {
          rule:
            "!has(self.matchLabelKeys) || !has(self.labelSelector) || !self.matchLabelKeys.exists(k, " +
            "(has(self.labelSelector.matchLabels) && k in self.labelSelector.matchLabels) || " +
            "(has(self.labelSelector.matchExpressions) && self.labelSelector.matchExpressions.exists(e, e.key == k)))",
          message: "a key in matchLabelKeys may not also be in labelSelector",
          fieldPath: ".matchLabelKeys",
        },
      ],
    },
  );
}

function podAffinityKind(description: string): OpenApiSchema {
  return object(description, {
    requiredDuringSchedulingIgnoredDuringExecution: array(
      "Terms that must all hold when the pod is scheduled.",
      podAffinityTerm("A term over pods in a topology domain."),
      { maxItems: MAX_TERMS },
    ),
    preferredDuringSchedulingIgnoredDuringExecution: array(
      "Terms the scheduler prefers to satisfy, by weight.",
      object(
        "A weighted term.",
        { weight: weight(), podAffinityTerm: podAffinityTerm("The term.") },
        { required: ["weight", "podAffinityTerm"] },
      ),
      { maxItems: MAX_WEIGHTED_TERMS },
    ),
  });
}

/** The Affinity schema, checked as the apiserver checks a Pod's spec.affinity. */
export function affinity(): OpenApiSchema {
  return object(
    "Native Kubernetes affinity (nodeAffinity, podAffinity, podAntiAffinity), copied to the pod and checked here " +
      "as the apiserver checks a pod's; see `kubectl explain pod.spec.affinity`.",
    {
      nodeAffinity: nodeAffinity(),
      podAffinity: podAffinityKind("Run near pods matching these terms (same topology domain)."),
      podAntiAffinity: podAffinityKind("Run away from pods matching these terms (other topology domains)."),
    },
  );
}
