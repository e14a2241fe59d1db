// Where a Service answers from this machine: its ClusterIP, which kube-proxy routes to the real nodes' pods (a
// Service backed by kwok's pods has no one behind it, and this machine refuses to send its traffic anywhere else).
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { waitFor } from "../process/wait-for.js";

export interface ServiceUrlOptions {
  /** The port's name or number; the Service's first port when omitted. */
  port?: string | number;
  path?: string;
}

/** `http://<clusterIP>:<port><path>` of a Service; throws for a headless Service or one without that port. */
export async function serviceUrl(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
  options: ServiceUrlOptions = {},
): Promise<string> {
  const service = await kubeConfig.makeApiClient(CoreV1Api).readNamespacedService({ name, namespace });
  const ip = service.spec?.clusterIP;
  if (ip === undefined || ip === "None") throw new Error(`Service ${namespace}/${name} has no ClusterIP`);
  const ports = service.spec?.ports ?? [];
  const port =
    options.port === undefined
      ? ports[0]
      : ports.find((p) => p.name === options.port || p.port === options.port);
  if (port === undefined)
    throw new Error(`Service ${namespace}/${name} has no port ${options.port ?? ""}`.trim());
  return `http://${ip}:${port.port}${options.path ?? "/"}`;
}

/** The Service's URL once it answers 2xx from this machine, with that answer. */
export async function waitForServiceUrl(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
  options: ServiceUrlOptions & { timeoutMs?: number } = {},
): Promise<{ url: string; status: number; body: string }> {
  const url = await serviceUrl(kubeConfig, namespace, name, options);
  return waitFor(
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return response.ok ? { url, status: response.status, body: await response.text() } : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 200, description: `${url} answering` },
  );
}
