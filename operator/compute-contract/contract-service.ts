// The one Service of a contract that declares ports: a ClusterIP named after the contract that selects all of its
// replicas' pods, so traffic is balanced across those that are ready (a Service routes only to ready endpoints).
// A contract another cluster runs gets the same Service with no selector: its endpoints follow the chain
// (remote-endpoints.ts), so the name clients use survives a failover.
import { createHash } from "node:crypto";
import type { V1Service } from "@kubernetes/client-node";
import { ANNOTATION, API_VERSION, KIND, LABEL, type ComputeContract } from "../../crds/types.js";
import type { KubeClient } from "../../kube-runtime/kube-client.js";
import type { KubeObject } from "../../kube-runtime/resource.js";
import { SERVICE } from "../../kube-runtime/builtin-resources.js";
import { isAlreadyExists, isNotFound } from "../../kube-runtime/kube-api-error.js";
import { controllerReference } from "../../kube-runtime/owner-reference.js";
import { isRemote } from "./remote-placement.js";

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The contract's own name when it is a valid Service name (a DNS-1035 label), else a stable name derived from it. */
export function contractServiceName(cc: ComputeContract): string {
  const name = cc.metadata.name!;
  if (DNS_1035_LABEL.test(name)) return name;
  const digest = createHash("sha256").update(`${cc.metadata.namespace}/${name}`).digest("hex").slice(0, 12);
  return `cc-${digest}`;
}

/** Undefined when the contract's template declares no ports. */
export function contractServiceManifest(cc: ComputeContract): V1Service | undefined {
  const ports = cc.spec.template.spec.ports ?? [];
  if (ports.length === 0) return undefined;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: contractServiceName(cc),
      namespace: cc.metadata.namespace,
      labels: { [LABEL.contract]: cc.metadata.name! },
      ownerReferences: [controllerReference(cc, API_VERSION, KIND.ComputeContract)],
    },
    spec: {
      type: cc.metadata.annotations?.[ANNOTATION.serviceType] === "NodePort" ? "NodePort" : "ClusterIP",
      ...(isRemote(cc) ? {} : { selector: { [LABEL.contract]: cc.metadata.name! } }),
      ports: ports.map((port) => {
        const protocol = port.protocol ?? "TCP";
        return {
          name: port.name ?? `${protocol.toLowerCase()}-${port.containerPort}`,
          port: port.containerPort,
          targetPort: port.containerPort,
          protocol,
        };
      }),
    },
  };
}

/** Keeps each contract's Service as its template says; remembers what it wrote so a steady contract costs no call. */
export class ContractServices {
  /** Contract key → the ports last written ("" for no Service). */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly client: KubeClient,
    private readonly fieldManager: string,
  ) {}

  /** Creates, updates or removes the Service; answers why not when its name belongs to someone else's Service. */
  async ensure(cc: ComputeContract): Promise<string | undefined> {
    const key = `${cc.metadata.namespace}/${cc.metadata.name}`;
    const manifest = contractServiceManifest(cc);
    const ports = JSON.stringify([manifest?.spec?.type, manifest?.spec?.ports ?? ""]);
    if (this.written.get(key) === ports) return undefined;
    const name = { namespace: cc.metadata.namespace!, name: contractServiceName(cc) };
    let taken: string | undefined;
    if (manifest === undefined) {
      // Only a contract whose spec changed can have had ports: at generation 1 there is no Service to look for.
      if ((cc.metadata.generation ?? 1) > 1 && (await this.ours(cc, name)))
        await this.client.delete(SERVICE, name);
    } else {
      try {
        await this.client.create(SERVICE, manifest as KubeObject, { fieldManager: this.fieldManager });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        if (await this.ours(cc, name)) {
          // Ports changed with the template, or this process does not know: a merge patch replaces the list.
          await this.client.mergePatch(
            SERVICE,
            name,
            {
              spec: {
                type: manifest.spec!.type,
                ports: manifest.spec!.ports,
                selector: manifest.spec!.selector,
              },
            },
            { fieldManager: this.fieldManager },
          );
        } else {
          taken = `Service ${name.name} already exists and is not this contract's: it is left alone`;
        }
      }
    }
    this.written.set(key, ports);
    return taken;
  }

  /** True when the Service exists and this contract controls it. */
  private async ours(cc: ComputeContract, name: { namespace: string; name: string }): Promise<boolean> {
    try {
      const service = await this.client.get(SERVICE, name);
      return (
        service.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === cc.metadata.uid) ??
        false
      );
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  forget(cc: ComputeContract): void {
    this.written.delete(`${cc.metadata.namespace}/${cc.metadata.name}`);
  }
}
