// The curl a demo user runs against a contract served from a real node: its Service's ClusterIP and first port,
// tried once here so the summary says whether it answered.
import type { V1Service } from "@kubernetes/client-node";
import { SERVICE } from "../../kube-runtime/builtin-resources.js";
import type { KubeClient } from "../../kube-runtime/kube-client.js";

const TRY_MS = 3_000;

export interface ServiceCurl {
  contract: string;
  url: string;
  /** The first line of the answer, or why there was none. */
  answer: string;
  ok: boolean;
}

/** `namespace/name` of a contract whose Service (named after it) has a ClusterIP; undefined when it has none. */
export async function serviceCurl(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<ServiceCurl | undefined> {
  const service = await client
    .get<V1Service & { metadata: { name: string } }>(SERVICE, { namespace, name })
    .catch(() => undefined);
  const ip = service?.spec?.clusterIP;
  const port = service?.spec?.ports?.[0]?.port;
  if (ip === undefined || ip === "None" || port === undefined) return undefined;
  const url = `http://${ip}:${port}/`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TRY_MS) });
    const body = (await response.text()).trim().split("\n")[0] ?? "";
    return { contract: `${namespace}/${name}`, url, answer: `${response.status}: ${body}`, ok: response.ok };
  } catch (error) {
    return { contract: `${namespace}/${name}`, url, answer: (error as Error).message, ok: false };
  }
}
