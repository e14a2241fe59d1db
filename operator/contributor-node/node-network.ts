// A real node's network figure for PoC, measured: the highest throughput (received + sent, in Mbps) its kubelet's
// stats showed between two heartbeats, kept as a peak since this process started. A lower bound of what the link
// can carry, but measured, where the operator used to send 0; kwok's fake nodes have no kubelet and still send 0.
import type { KubeNode } from "../operator-context.js";
import { hasKubelet, summaryPath, type NodeProxyClient } from "../metering/pod-usage.js";

const READ_TIMEOUT_MS = 5_000;

interface NetworkSample {
  timeMs: number;
  bytes: number;
}

/** The node's interface totals at the kubelet's sample time; undefined when the Summary has none. */
export function networkSample(body: unknown): NetworkSample | undefined {
  const network = (
    body as { node?: { network?: { time?: string; rxBytes?: number; txBytes?: number } } } | null
  )?.node?.network;
  const timeMs = Date.parse(network?.time ?? "");
  const rx = network?.rxBytes;
  const tx = network?.txBytes;
  if (!Number.isFinite(timeMs) || typeof rx !== "number" || typeof tx !== "number") return undefined;
  return { timeMs, bytes: rx + tx };
}

/** Megabits per second between two samples; 0 when the counters went back (a restart) or no time passed. */
export function throughputMbps(from: NetworkSample, to: NetworkSample): number {
  const seconds = (to.timeMs - from.timeMs) / 1000;
  if (seconds <= 0 || to.bytes < from.bytes) return 0;
  return ((to.bytes - from.bytes) * 8) / seconds / 1_000_000;
}

export class NodeNetwork {
  private readonly last = new Map<string, NetworkSample>();
  private readonly peak = new Map<string, number>();

  constructor(private readonly client: NodeProxyClient) {}

  /** The node's peak measured throughput in whole Mbps (rounded up); 0 before two samples, or for a kwok node. */
  async peakMbps(node: KubeNode): Promise<bigint> {
    const name = node.metadata.name!;
    if (!hasKubelet(node)) return 0n;
    const body = await this.client
      .request("GET", summaryPath(name), { timeoutMs: READ_TIMEOUT_MS })
      .catch(() => undefined);
    const sample = networkSample(body);
    if (sample !== undefined) {
      const previous = this.last.get(name);
      if (previous !== undefined)
        this.peak.set(name, Math.max(this.peak.get(name) ?? 0, throughputMbps(previous, sample)));
      this.last.set(name, sample);
    }
    return BigInt(Math.ceil(this.peak.get(name) ?? 0));
  }

  forget(name: string): void {
    this.last.delete(name);
    this.peak.delete(name);
  }
}
