// Where other clusters reach a copy this member runs: its Service's node ports on the endpoint host the member
// declared on chain (the chain refuses any other), and a NetworkPolicy that lets traffic in on those ports only,
// through the home namespace's default deny.
import type { V1Service } from "@kubernetes/client-node";
import { API_VERSION, KIND, LABEL, type ComputeContract } from "../../crds/types.js";
import { NETWORK_POLICY, SERVICE } from "../../kube-runtime/builtin-resources.js";
import { isAlreadyExists, isNotFound } from "../../kube-runtime/kube-api-error.js";
import { controllerReference } from "../../kube-runtime/owner-reference.js";
import type { KubeObject } from "../../kube-runtime/resource.js";
import type { Logger } from "../../observability/logger.js";
import type { OperatorContext } from "../operator-context.js";
import type { FederationSettings } from "../operator-settings.js";

const copyKey = (copy: ComputeContract): string => `${copy.metadata.namespace}/${copy.metadata.name}`;

/** The NetworkPolicy that admits traffic to the copy's pods on its container ports, from anywhere. */
export function ingressPolicy(copy: ComputeContract): KubeObject | undefined {
  const ports = copy.spec.template.spec.ports ?? [];
  if (ports.length === 0) return undefined;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: `${copy.metadata.name}-ingress`,
      namespace: copy.metadata.namespace,
      ownerReferences: [controllerReference(copy, API_VERSION, KIND.ComputeContract)],
    },
    spec: {
      podSelector: { matchLabels: { [LABEL.contract]: copy.metadata.name! } },
      policyTypes: ["Ingress"],
      ingress: [{ ports: ports.map((p) => ({ port: p.containerPort, protocol: p.protocol ?? "TCP" })) }],
    },
  } as KubeObject;
}

export class OrderExposure {
  /** Copy → its endpoints, once every port has its node port (they never change while the Service lives). */
  private readonly known = new Map<string, string[]>();
  /** Copies whose ingress policy exists. */
  private readonly admitted = new Set<string>();
  private readonly log: Logger;

  constructor(
    private readonly ctx: OperatorContext,
    private readonly federation: FederationSettings,
  ) {
    this.log = ctx.runtime.logger.child({ component: "order-exposure" });
  }

  /** The copy's `host:nodePort` per container port, in template order; none until its Service has them all. */
  async endpoints(copy: ComputeContract | undefined): Promise<string[]> {
    const ports = copy?.spec.template.spec.ports ?? [];
    if (copy === undefined || ports.length === 0) return [];
    const key = copyKey(copy);
    const known = this.known.get(key);
    if (known !== undefined) return known;
    await this.admit(copy);
    let service: V1Service;
    try {
      // A copy's name (order-<20 hex>) is a DNS-1035 label, so its Service bears that name (contract-service.ts).
      service = await this.ctx.runtime.client.get<V1Service & { metadata: { name: string } }>(SERVICE, {
        namespace: copy.metadata.namespace!,
        name: copy.metadata.name!,
      });
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const { endpointHost, portFirst, portLast } = this.federation;
    const nodePorts = ports.map(
      (port) => service.spec?.ports?.find((p) => p.port === port.containerPort)?.nodePort,
    );
    if (nodePorts.some((p) => p === undefined)) return [];
    const inRange = nodePorts.filter((p): p is number => p! >= portFirst && p! <= portLast);
    if (inRange.length < nodePorts.length)
      this.log.warn(
        { copy: key, nodePorts, portFirst, portLast },
        "node ports outside the declared --port-range are not reported: make it match the apiserver's --service-node-port-range",
      );
    const endpoints = inRange.map((port) => `${endpointHost}:${port}`);
    this.known.set(key, endpoints);
    return endpoints;
  }

  /** Forgets copies that are gone. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.known.keys()) if (!keys.has(key)) this.known.delete(key);
    for (const key of this.admitted) if (!keys.has(key)) this.admitted.delete(key);
  }

  private async admit(copy: ComputeContract): Promise<void> {
    const key = copyKey(copy);
    const policy = ingressPolicy(copy);
    if (this.admitted.has(key) || policy === undefined) return;
    try {
      await this.ctx.runtime.client.create(NETWORK_POLICY, policy);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    this.admitted.add(key);
  }
}
