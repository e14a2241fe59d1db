// The endpoints behind a remote contract's home Service: an EndpointSlice of the addresses the cluster that holds
// the order reported on chain (the chain checked them against that cluster's declared host and ports). A failover
// rewrites the slice, so the Service name clients use at home never changes.
import { isIPv4 } from "node:net";
import { API_VERSION, KIND, type ComputeContract } from "../../crds/types.js";
import { ENDPOINT_SLICE } from "../../kube-runtime/builtin-resources.js";
import { isAlreadyExists, isNotFound } from "../../kube-runtime/kube-api-error.js";
import type { KubeClient } from "../../kube-runtime/kube-client.js";
import { controllerReference } from "../../kube-runtime/owner-reference.js";
import type { KubeObject } from "../../kube-runtime/resource.js";
import { contractServiceManifest } from "./contract-service.js";

/** A label value (no slash): the controller that writes these slices. */
const MANAGED_BY = "operator.uranus.io";
type AddressType = "IPv4" | "FQDN";

/** The slice for `endpoints` (host:port per template port, in order); none while they do not cover every port. */
export function remoteEndpointSlice(
  cc: ComputeContract,
  endpoints: readonly string[],
): KubeObject | undefined {
  const service = contractServiceManifest(cc);
  const ports = service?.spec?.ports ?? [];
  if (service === undefined) return undefined;
  const parsed = endpoints.map((endpoint) => {
    const colon = endpoint.lastIndexOf(":");
    return { host: endpoint.slice(0, colon), port: Number(endpoint.slice(colon + 1)) };
  });
  const host = parsed[0]?.host ?? "";
  const complete = parsed.length === ports.length && parsed.every((p) => p.host === host);
  const addressType: AddressType = complete && !isIPv4(host) ? "FQDN" : "IPv4";
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: `${service.metadata!.name}-${addressType.toLowerCase()}`,
      namespace: cc.metadata.namespace,
      labels: {
        "kubernetes.io/service-name": service.metadata!.name!,
        "endpointslice.kubernetes.io/managed-by": MANAGED_BY,
      },
      ownerReferences: [controllerReference(cc, API_VERSION, KIND.ComputeContract)],
    },
    addressType,
    endpoints: complete ? [{ addresses: [host], conditions: { ready: true } }] : [],
    ports: ports.map((port, i) => ({
      name: port.name,
      protocol: port.protocol,
      port: complete ? parsed[i]!.port : port.port,
    })),
  } as KubeObject;
}

/** Keeps each remote contract's slice as the chain says; remembers what it wrote so a steady contract costs no call. */
export class RemoteEndpoints {
  /** Contract key → the slice last written. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly client: KubeClient,
    private readonly fieldManager: string,
  ) {}

  async ensure(cc: ComputeContract, endpoints: readonly string[]): Promise<void> {
    const key = `${cc.metadata.namespace}/${cc.metadata.name}`;
    const slice = remoteEndpointSlice(cc, endpoints);
    const body = JSON.stringify(slice ?? "");
    if (slice === undefined || this.written.get(key) === body) return;
    const namespace = cc.metadata.namespace!;
    try {
      await this.client.create(ENDPOINT_SLICE, slice, { fieldManager: this.fieldManager });
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const { endpoints: addresses, ports } = slice as unknown as Record<string, unknown>;
      await this.client.mergePatch(
        ENDPOINT_SLICE,
        { namespace, name: slice.metadata.name! },
        { endpoints: addresses, ports },
        { fieldManager: this.fieldManager },
      );
    }
    // An address type cannot change in place: the slice of the other type goes.
    const other = slice.metadata.name!.endsWith("-ipv4")
      ? slice.metadata.name!.replace(/-ipv4$/, "-fqdn")
      : slice.metadata.name!.replace(/-fqdn$/, "-ipv4");
    try {
      await this.client.delete(ENDPOINT_SLICE, { namespace, name: other });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    this.written.set(key, body);
  }

  forget(cc: ComputeContract): void {
    this.written.delete(`${cc.metadata.namespace}/${cc.metadata.name}`);
  }
}
