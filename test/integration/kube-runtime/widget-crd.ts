// A small custom resource of the tests' own (group runtime-test.uranus.io), with a status subresource, so the
// runtime is exercised on custom resources without depending on the uranus.io CRDs.
import { CUSTOM_RESOURCE_DEFINITION, NAMESPACE } from "../../../kube-runtime/builtin-resources.js";
import { isAlreadyExists } from "../../../kube-runtime/kube-api-error.js";
import type { KubeClient } from "../../../kube-runtime/kube-client.js";
import type { KubeObject, ResourceType } from "../../../kube-runtime/resource.js";
import { waitFor } from "../../../process/wait-for.js";

export const WIDGET: ResourceType = {
  apiVersion: "runtime-test.uranus.io/v1",
  kind: "Widget",
  plural: "widgets",
  namespaced: true,
};

export interface Widget extends KubeObject {
  spec?: { size?: number };
  status?: {
    observedGeneration?: number;
    echo?: number;
    conditions?: {
      type: string;
      status: "True" | "False" | "Unknown";
      observedGeneration?: number;
      lastTransitionTime: string;
      reason: string;
      message: string;
    }[];
  };
}

type Crd = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };

export async function installWidgetCrd(client: KubeClient): Promise<void> {
  try {
    await client.create(CUSTOM_RESOURCE_DEFINITION, {
      metadata: { name: "widgets.runtime-test.uranus.io" },
      spec: {
        group: "runtime-test.uranus.io",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: { type: "object", properties: { size: { type: "integer" } } },
                  status: {
                    type: "object",
                    properties: {
                      observedGeneration: { type: "integer" },
                      echo: { type: "integer" },
                      conditions: {
                        type: "array",
                        items: {
                          type: "object",
                          required: ["type", "status", "lastTransitionTime", "reason", "message"],
                          properties: {
                            type: { type: "string" },
                            status: { type: "string", enum: ["True", "False", "Unknown"] },
                            observedGeneration: { type: "integer" },
                            lastTransitionTime: { type: "string", format: "date-time" },
                            reason: { type: "string" },
                            message: { type: "string" },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    } as KubeObject);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  await waitFor(
    async () => {
      const crd = await client.get<Crd>(CUSTOM_RESOURCE_DEFINITION, {
        name: "widgets.runtime-test.uranus.io",
      });
      const established = crd.status?.conditions?.some(
        (c) => c.type === "Established" && c.status === "True",
      );
      if (established !== true) return false;
      await client.list(WIDGET, { limit: 1 });
      return true;
    },
    { timeoutMs: 30_000, description: "the Widget CRD to be established and served" },
  );
}

export async function ensureNamespace(client: KubeClient, name: string): Promise<void> {
  try {
    await client.create(NAMESPACE, { metadata: { name } });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}

export function widget(namespace: string, name: string, size: number): Widget {
  return { apiVersion: WIDGET.apiVersion, kind: WIDGET.kind, metadata: { namespace, name }, spec: { size } };
}
