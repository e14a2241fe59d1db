// Records when each pod of a benchmark run is first seen bound, from a watch on the pods.
import type { KubeConfig } from "@kubernetes/client-node";
import { POD } from "../../../kube-runtime/builtin-resources.js";
import { Informer } from "../../../kube-runtime/informer.js";
import { KubeClient } from "../../../kube-runtime/kube-client.js";
import type { KubeObject } from "../../../kube-runtime/resource.js";

type WatchedPod = KubeObject & { spec?: { nodeName?: string } };

export class BindClock {
  /** performance.now() at which each pod was first seen with a node. */
  readonly boundAt = new Map<string, number>();
  private readonly informer: Informer<WatchedPod>;

  constructor(kubeConfig: KubeConfig, labelSelector: string) {
    this.informer = new Informer<WatchedPod>({
      client: new KubeClient(kubeConfig),
      resource: POD,
      labelSelector,
    });
    const seen = (pod: WatchedPod): void => {
      const name = pod.metadata.name ?? "";
      if ((pod.spec?.nodeName ?? "") !== "" && !this.boundAt.has(name))
        this.boundAt.set(name, performance.now());
    };
    this.informer.addHandler({ add: seen, update: (_previous, pod) => seen(pod) });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync({ timeoutMs: 60_000 });
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  /** Pods per second between the bindings at the given fractions of the run (first → last by default). */
  throughput(from = 0, to = 1): number {
    const times = [...this.boundAt.values()].sort((a, b) => a - b);
    if (times.length < 2) return 0;
    const first = Math.floor(from * (times.length - 1));
    const last = Math.ceil(to * (times.length - 1));
    const seconds = (times[last]! - times[first]!) / 1000;
    return seconds > 0 ? (last - first) / seconds : Infinity;
  }
}
