// A contract's workload as it travels on chain between member clusters: what the home cluster publishes in its
// order, and the ComputeContract the assigned cluster makes from it (adopting the escrow the chain handed over).
import { createHash } from "node:crypto";
import type { Contract } from "../../chain-sidecar/modules/market/market-types.js";
import type { Order, OrderWorkload } from "../../chain-sidecar/modules/federation/federation-types.js";
import {
  ANNOTATION,
  API_VERSION,
  KIND,
  type ComputeContract,
  type Isolation,
  type PowerContainerSpec,
} from "../../crds/types.js";

/** On a provider's copy: the chain contract of the order it runs. */
export const ORDER_LABEL = "uranus.io/order";
/** On a provider's copy: the assignment epoch it was made for. */
export const ORDER_EPOCH_ANNOTATION = "uranus.io/order-epoch";

/**
 * The workload the home cluster publishes: no pull secrets, and of env from Secrets only the names (their values
 * follow sealed to the assigned cluster).
 */
export function workloadOf(spec: PowerContainerSpec): OrderWorkload {
  // Keys in code-unit order at every level, so JSON.stringify gives the canonical form the chain stores.
  const workload = {} as OrderWorkload;
  if (spec.args !== undefined) workload.args = spec.args;
  if (spec.command !== undefined) workload.command = spec.command;
  const env = (spec.env ?? []).filter((e) => e.valueFrom === undefined);
  if (env.length > 0) workload.env = env.map((e) => ({ name: e.name, value: e.value ?? "" }));
  workload.image = spec.image;
  if (spec.ports !== undefined && spec.ports.length > 0)
    workload.ports = spec.ports.map((p) => ({
      name: p.name ?? `${(p.protocol ?? "TCP").toLowerCase()}-${p.containerPort}`,
      port: p.containerPort,
      protocol: p.protocol ?? "TCP",
    }));
  const sealed = (spec.env ?? []).filter((e) => e.valueFrom !== undefined).map((e) => e.name);
  if (sealed.length > 0) workload.sealedEnv = sealed;
  return workload;
}

export function workloadJson(spec: PowerContainerSpec): string {
  return JSON.stringify(workloadOf(spec));
}

/** Where a home cluster's orders run here: one namespace per home cluster, a DNS label whatever the id's length. */
export function homeNamespace(homeCluster: string): string {
  const name = `uranus-from-${homeCluster}`;
  if (name.length <= 63) return name;
  const digest = createHash("sha256").update(homeCluster).digest("hex").slice(0, 10);
  return `uranus-from-${homeCluster.slice(0, 40)}-${digest}`;
}

export function copyName(contractId: string): string {
  return `order-${contractId}`;
}

export function sealedEnvSecretName(contractId: string): string {
  return `order-${contractId}-env`;
}

/** The ComputeContract that runs an order here: the escrow adopted, the terms as the chain holds them. */
export function orderCopy(order: Order, contract: Contract, workload: OrderWorkload): ComputeContract {
  const template: PowerContainerSpec = {
    image: workload.image,
    size: { scu: contract.scuPerReplica },
  };
  if (workload.command !== undefined) template.command = workload.command;
  if (workload.args !== undefined) template.args = workload.args;
  if (workload.ports !== undefined)
    template.ports = workload.ports.map((p) => ({
      name: p.name,
      containerPort: p.port,
      protocol: p.protocol ?? "TCP",
    }));
  const sealed = (workload.sealedEnv ?? []).map((name) => ({
    name,
    valueFrom: { secretKeyRef: { name: sealedEnvSecretName(contract.id), key: name } },
  }));
  if (workload.env !== undefined || sealed.length > 0) template.env = [...(workload.env ?? []), ...sealed];
  if (order.isolation !== "") template.isolation = order.isolation as Isolation;
  if (contract.spread) template.contributorSpread = "required";
  const regions = contract.regions;
  return {
    apiVersion: API_VERSION,
    kind: KIND.ComputeContract,
    metadata: {
      name: copyName(contract.id),
      namespace: homeNamespace(order.homeCluster),
      labels: { [ORDER_LABEL]: contract.id },
      annotations: {
        [ORDER_EPOCH_ANNOTATION]: String(order.epoch),
        // Reached from other clusters: on the node ports this member declared on chain.
        ...(template.ports !== undefined ? { [ANNOTATION.serviceType]: "NodePort" } : {}),
      },
    },
    spec: {
      template: { spec: template },
      replicas: contract.replicas,
      maxPricePerSCUHour: contract.maxPricePerScuHour.toString(),
      budget: contract.deposited.toString(),
      sla: {
        recoverWithin: `${contract.recoverWithinSeconds}s`,
        maxMigrations: contract.maxMigrations,
      },
      placement: {
        ...(regions.length > 0 ? { regions: [...regions] } : {}),
        ...(contract.minPoc > 0n ? { minPoC: Number(contract.minPoc) } : {}),
      },
      payer: { escrowContractId: contract.id },
      // What the adopted chain contract bills by; shown here so the copy says what it is paid for.
      billing: contract.billing === "used" ? "Used" : "Reserved",
    },
  };
}
