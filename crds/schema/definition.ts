// Wraps a kind's spec and status schemas into a CustomResourceDefinition with the parts all three share.
import { CATEGORY, GROUP, PLURAL, SHORT_NAMES, SINGULAR, VERSION, type Kind } from "../types.js";
import type { OpenApiSchema, ValidationRule } from "./openapi.js";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: "Cluster" | "Namespaced";
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: OpenApiSchema };
      subresources: { status: Record<string, never>; scale?: ScaleSubresource };
      additionalPrinterColumns: PrinterColumn[];
    }[];
  };
}

/** Where the scale subresource (kubectl scale, HorizontalPodAutoscaler) finds replicas and the pods' selector. */
export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath: string;
}

export interface KindDefinition {
  kind: Kind;
  scope: "Cluster" | "Namespaced";
  description: string;
  spec: OpenApiSchema;
  status: OpenApiSchema;
  printerColumns: PrinterColumn[];
  scale?: ScaleSubresource;
  /** Rules on the whole object, such as on metadata.name, which CEL may read at the root. */
  rules?: ValidationRule[];
}

export const AGE_COLUMN: PrinterColumn = {
  name: "Age",
  type: "date",
  jsonPath: ".metadata.creationTimestamp",
  description: "Time since the object was created.",
};

export function customResourceDefinition(definition: KindDefinition): CustomResourceDefinition {
  const { kind } = definition;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${PLURAL[kind]}.${GROUP}`,
      labels: { "app.kubernetes.io/part-of": "uranus" },
    },
    spec: {
      group: GROUP,
      names: {
        kind,
        listKind: `${kind}List`,
        plural: PLURAL[kind],
        singular: SINGULAR[kind],
        shortNames: [...SHORT_NAMES[kind]],
        categories: [CATEGORY],
      },
      scope: definition.scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: definition.description,
              properties: {
                apiVersion: {
                  type: "string",
                  description: `APIVersion of this object: ${GROUP}/${VERSION}.`,
                  maxLength: 64,
                },
                kind: { type: "string", description: `Kind of this object: ${kind}.`, maxLength: 64 },
                // The apiserver forbids anything but the type here: it supplies ObjectMeta's own schema.
                metadata: { type: "object" },
                spec: definition.spec,
                status: definition.status,
              },
              required: ["spec"],
              ...(definition.rules ? { "x-kubernetes-validations": definition.rules } : {}),
            },
          },
          subresources: { status: {}, ...(definition.scale ? { scale: definition.scale } : {}) },
          additionalPrinterColumns: [...definition.printerColumns, AGE_COLUMN],
        },
      ],
    },
  };
}
