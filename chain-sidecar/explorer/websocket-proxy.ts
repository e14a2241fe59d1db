// Relays a browser's websocket to the node's /websocket, message by message, passing only read and subscribe calls.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { isWebsocketMethod, requestedMethods } from "./read-only-rpc.js";

export interface WebsocketProxyOptions {
  /** ws://host:port/websocket of the node. */
  upstreamUrl: string;
  logger: Logger;
  maxMessageBytes: number;
  maxClients: number;
  /** Messages a client may send before the node's socket is open. */
  maxQueuedMessages?: number;
}

/** Policy violation (RFC 6455 §7.4.1): the close code for a refused method. */
const CLOSE_POLICY = 1008;
const CLOSE_UPSTREAM_GONE = 1011;
const CLOSE_TRY_AGAIN = 1013;

export class WebsocketProxy {
  private readonly wss: WebSocketServer;
  private readonly upstreams = new Set<WebSocket>();

  constructor(private readonly options: WebsocketProxyOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
  }

  get clientCount(): number {
    return this.wss.clients.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (client) => {
      if (this.wss.clients.size > this.options.maxClients) {
        client.close(CLOSE_TRY_AGAIN, "too many explorer connections");
        return;
      }
      this.relay(client);
    });
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    for (const upstream of this.upstreams) upstream.terminate();
    this.wss.close();
  }

  private relay(client: WebSocket): void {
    const upstream = new WebSocket(this.options.upstreamUrl, { maxPayload: this.options.maxMessageBytes });
    this.upstreams.add(upstream);
    const queued: string[] = [];
    const limit = this.options.maxQueuedMessages ?? 16;

    client.on("message", (data: RawData, isBinary: boolean) => {
      const text = isBinary ? undefined : rawText(data);
      const verdict =
        text === undefined ? { error: "binary frames are not JSON-RPC" } : requestedMethods(text);
      if ("error" in verdict) {
        client.close(CLOSE_POLICY, verdict.error.slice(0, 120));
        return;
      }
      const refused = verdict.methods.find((m) => !isWebsocketMethod(m));
      if (refused !== undefined) {
        client.close(CLOSE_POLICY, `method ${refused.slice(0, 60)} is not served by the explorer`);
        return;
      }
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text!);
      else if (queued.length < limit) queued.push(text!);
      else client.close(CLOSE_TRY_AGAIN, "node connection not ready");
    });
    upstream.on("open", () => {
      for (const text of queued.splice(0)) upstream.send(text);
    });
    upstream.on("message", (data: RawData, isBinary: boolean) => {
      if (client.readyState === WebSocket.OPEN) client.send(rawBuffer(data), { binary: isBinary });
    });
    upstream.on("close", () => {
      this.upstreams.delete(upstream);
      if (client.readyState === WebSocket.OPEN)
        client.close(CLOSE_UPSTREAM_GONE, "node closed the connection");
    });
    upstream.on("error", (error) => {
      this.options.logger.debug({ err: error }, "explorer: node websocket error");
      if (client.readyState === WebSocket.OPEN) client.close(CLOSE_UPSTREAM_GONE, "node unreachable");
    });
    client.on("close", () => {
      if (upstream.readyState === WebSocket.CONNECTING || upstream.readyState === WebSocket.OPEN) {
        upstream.terminate();
      }
    });
    client.on("error", (error) => {
      this.options.logger.debug({ err: error }, "explorer: browser websocket error");
    });
  }
}

function rawBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function rawText(data: RawData): string {
  return rawBuffer(data).toString("utf8");
}
