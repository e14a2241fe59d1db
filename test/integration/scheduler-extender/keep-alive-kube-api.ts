// Bulk apiserver writes over kept-alive connections. client-node 1.4 builds a new https.Agent (so a new TLS
// handshake) for every request, which makes creating thousands of nodes and pods slower than scheduling them.
import { Agent, request, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

export class KeepAliveKubeApi {
  private constructor(
    private readonly server: string,
    private readonly agent: Agent,
    private readonly headers: Record<string, string>,
  ) {}

  static async connect(kubeConfig: KubeConfig, maxSockets = 32): Promise<KeepAliveKubeApi> {
    const cluster = kubeConfig.getCurrentCluster();
    if (cluster === null) throw new Error("the kubeconfig has no current cluster");
    const options: RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(options);
    const agent = new Agent({
      keepAlive: true,
      maxSockets,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {}))
      headers[name.toLowerCase()] = String(value);
    return new KeepAliveKubeApi(cluster.server.replace(/\/+$/, ""), agent, headers);
  }

  async send(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<unknown> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.server}${path}`,
        {
          method,
          agent: this.agent,
          headers: {
            ...this.headers,
            accept: "application/json",
            ...(payload === undefined
              ? {}
              : { "content-type": contentType, "content-length": payload.length }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if ((res.statusCode ?? 0) >= 300)
              reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`));
            else resolve(text === "" ? undefined : JSON.parse(text));
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
