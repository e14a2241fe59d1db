// A control plane's real nodes as one piece: the images they hold, the nodes, and the Service network they share.
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { CertificateFiles } from "../credentials.js";
import { buildUranusImages, type UranusImages } from "../images/uranus-images.js";
import { startNodeServices, type NodeServices } from "./node-services.js";
import { startRealNode, type RealNode } from "./real-node.js";
import { SERVICES_DIR } from "./services-teardown.js";
import { REAL_NODES_DIR } from "./teardown.js";

export interface RealNodesOptions {
  count: number;
  /** The control plane's directory; the nodes live in its real-nodes/. */
  dir: string;
  server: string;
  apiserverCa: Buffer;
  clusterCa: CertificateFiles;
  kubeConfig: KubeConfig;
  progress?: (line: string) => void;
  timeoutMs?: number;
}

export interface RealNodes {
  readonly nodes: RealNode[];
  /** kube-proxy and CoreDNS. */
  readonly services: NodeServices;
  /** uranus.local/pause, web and burner, imported into every node by digest. */
  readonly images: UranusImages;
  /** The Service network first, then the nodes, newest first; repeatable. */
  stop(): Promise<void>;
}

export async function startRealNodes(options: RealNodesOptions): Promise<RealNodes> {
  const images = await buildUranusImages();
  const nodes: RealNode[] = [];
  let services: NodeServices | undefined;
  const stop = async (): Promise<void> => {
    let failure: Error | undefined;
    const attempt = async (step: () => Promise<void>): Promise<void> => {
      await step().catch((error: unknown) => (failure ??= error as Error));
    };
    const running = services;
    if (running !== undefined) await attempt(() => running.stop());
    for (const node of [...nodes].reverse()) await attempt(() => node.stop());
    if (failure !== undefined) throw failure;
  };
  try {
    for (let index = 0; index < options.count; index++) {
      const name = `real-node-${index}`;
      nodes.push(
        await startRealNode({
          ...options,
          name,
          index,
          apiserverCa: options.apiserverCa,
          images,
          dir: join(options.dir, REAL_NODES_DIR, name),
        }),
      );
    }
    services = await startNodeServices({
      ...options,
      dir: join(options.dir, REAL_NODES_DIR, SERVICES_DIR),
      nodes,
    });
    return { nodes, services, images, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
