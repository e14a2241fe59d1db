// The Service in front of a PowerContainer that declares ports: a ClusterIP selecting its one current pod.
import { createHash } from "node:crypto";
import type { V1Service } from "@kubernetes/client-node";
import { API_VERSION, KIND, LABEL, type PowerContainer } from "../../crds/types.js";
import { controllerReference } from "../runtime/owner-reference.js";

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The PowerContainer's own name when it is a valid Service name, else a stable name derived from it. */
export function serviceName(pc: PowerContainer): string {
  const name = pc.metadata.name!;
  if (DNS_1035_LABEL.test(name)) return name;
  const digest = createHash("sha256").update(`${pc.metadata.namespace}/${name}`).digest("hex").slice(0, 12);
  return `pc-${digest}`;
}

/** Undefined when the PowerContainer declares no ports. */
export function serviceManifest(pc: PowerContainer): V1Service | undefined {
  const ports = pc.spec.ports ?? [];
  if (ports.length === 0) return undefined;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: serviceName(pc),
      namespace: pc.metadata.namespace,
      labels: { [LABEL.powerContainer]: pc.metadata.name! },
      ownerReferences: [controllerReference(pc, API_VERSION, KIND.PowerContainer)],
    },
    spec: {
      type: "ClusterIP",
      selector: { [LABEL.powerContainer]: pc.metadata.name! },
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
