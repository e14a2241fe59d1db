// Plain-JSON access to any resource: list, get, create, replace, merge patch (subresources too), delete, watch.
// Own requests instead of client-node's typed clients: those turn timestamps into Date objects (unlike the watch
// stream) and have no generic path to subresources such as /status of a custom resource. Own watches too: client-node's
// Watch brings node-fetch (and its URL library's Unicode tables, ~15 MB of RSS) for what node:http does as well.
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from "node:https";
import { KubeApiError } from "./kube-api-error.js";
import type { KubeConnection } from "./kube-config.js";
import {
  collectionPath,
  objectPath,
  type KubeObject,
  type ObjectName,
  type ResourceType,
} from "./resource.js";

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; the client follows `continue` tokens until the list is complete. */
  limit?: number;
}

export interface ObjectList<T> {
  items: T[];
  resourceVersion: string;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** The apiserver ends the watch after this long, so connections are recycled. */
  timeoutSeconds?: number;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface WatchHandle {
  abort(): void;
}

export interface PatchOptions {
  subresource?: string;
  fieldManager?: string;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_PAGE_SIZE = 500;
/** TCP keep-alive probes on watch connections, so a peer that vanished is noticed (as client-node's Watch does). */
const WATCH_KEEPALIVE_MS = 30_000;

type Query = Record<string, string | number | boolean | undefined>;

export class KubeClient {
  /** One keep-alive agent: client-node makes a new agent per call, which costs a TLS handshake per request. */
  private agent: HttpAgent | undefined;

  /** `kubeConfig`: a KubeAccess (kube-config.ts), or client-node's KubeConfig, which has the same two methods. */
  constructor(
    readonly kubeConfig: KubeConnection,
    private readonly requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {}

  /** Closes idle keep-alive connections; the client still works afterwards and reconnects on demand. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  /** The same client whose requests (not watches) give up after `timeoutMs`. */
  withRequestTimeout(timeoutMs: number): KubeClient {
    return new KubeClient(this.kubeConfig, timeoutMs);
  }

  async get<T extends KubeObject>(resource: ResourceType, name: ObjectName): Promise<T> {
    return withKind(resource, (await this.request("GET", objectPath(resource, name))) as T);
  }

  async list<T extends KubeObject>(
    resource: ResourceType,
    options: ListOptions = {},
  ): Promise<ObjectList<T>> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = "";
    do {
      const page = (await this.request("GET", collectionPath(resource, options.namespace), {
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: options.limit ?? DEFAULT_PAGE_SIZE,
          continue: continueToken,
        },
      })) as { items?: T[]; metadata?: { resourceVersion?: string; continue?: string } };
      for (const item of page.items ?? []) items.push(withKind(resource, item));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      continueToken = page.metadata?.continue === "" ? undefined : page.metadata?.continue;
    } while (continueToken !== undefined);
    return { items, resourceVersion };
  }

  async create<T extends KubeObject>(
    resource: ResourceType,
    object: T,
    options: { fieldManager?: string } = {},
  ): Promise<T> {
    return this.writeObject(
      "POST",
      collectionPath(resource, object.metadata.namespace),
      resource,
      object,
      options,
    );
  }

  /** PUT: fails with 409 Conflict when `object.metadata.resourceVersion` is stale. */
  async replace<T extends KubeObject>(
    resource: ResourceType,
    object: T,
    options: { fieldManager?: string } = {},
  ): Promise<T> {
    const path = objectPath(resource, { namespace: object.metadata.namespace, name: object.metadata.name! });
    return this.writeObject("PUT", path, resource, object, options);
  }

  /** Sends the whole object, with its apiVersion and kind, and returns what the apiserver stored. */
  private async writeObject<T extends KubeObject>(
    method: "POST" | "PUT",
    path: string,
    resource: ResourceType,
    object: T,
    options: { fieldManager?: string },
  ): Promise<T> {
    const body = { apiVersion: resource.apiVersion, kind: resource.kind, ...object };
    const query = { fieldManager: options.fieldManager };
    return withKind(resource, (await this.request(method, path, { body, query })) as T);
  }

  /** JSON merge patch (RFC 7386); a `metadata.resourceVersion` in the patch makes it conditional. */
  async mergePatch<T extends KubeObject>(
    resource: ResourceType,
    name: ObjectName,
    patch: object,
    options: PatchOptions = {},
  ): Promise<T> {
    const path = objectPath(resource, name, options.subresource);
    const response = await this.request("PATCH", path, {
      body: patch,
      contentType: "application/merge-patch+json",
      query: { fieldManager: options.fieldManager },
    });
    return withKind(resource, response as T);
  }

  /** Deletes; resolves false when the object was already gone. */
  async delete(
    resource: ResourceType,
    name: ObjectName,
    options: {
      preconditionResourceVersion?: string;
      propagationPolicy?: string;
      gracePeriodSeconds?: number;
    } = {},
  ): Promise<boolean> {
    const body: Record<string, unknown> = { apiVersion: "v1", kind: "DeleteOptions" };
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.preconditionResourceVersion !== undefined) {
      body.preconditions = { resourceVersion: options.preconditionResourceVersion };
    }
    if (options.propagationPolicy !== undefined) body.propagationPolicy = options.propagationPolicy;
    try {
      await this.request("DELETE", objectPath(resource, name), { body });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 404) return false;
      throw error;
    }
  }

  /**
   * Opens a watch. `onEvent` gets each decoded event; `onDone` is called once when the stream ends or fails (an HTTP
   * error is a KubeApiError), but not after `abort()`. An exception from `onEvent`, or a line that is not JSON, ends
   * the watch with that error: a lost event must not go unnoticed, and the informer resumes from the last version.
   */
  async watch(
    resource: ResourceType,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
    onDone: (error: unknown) => void,
  ): Promise<WatchHandle> {
    const path = collectionPath(resource, options.namespace);
    const target = await this.prepare(path, {
      watch: true,
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: options.allowWatchBookmarks,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      timeoutSeconds: options.timeoutSeconds,
    });
    const controller = new AbortController();
    let ended = false;
    const end = (error: unknown): void => {
      if (ended) return;
      ended = true;
      controller.abort();
      onDone(error);
    };
    const deliver = (line: string): void => {
      if (ended || line.trim() === "") return;
      try {
        const { type, object } = JSON.parse(line) as { type: WatchEventType; object: KubeObject };
        onEvent({ type, object: type === "ERROR" ? object : withKind(resource, object) });
      } catch (error) {
        end(error);
      }
    };
    const request = this.send(target, "GET", controller.signal, (response) => {
      if (response.statusCode !== 200) {
        readText(response).then(
          (text) => end(apiError(response.statusCode ?? 0, text, "GET", path)),
          (error: unknown) => end(error),
        );
        return;
      }
      response.setEncoding("utf8");
      let partial = "";
      response.on("data", (chunk: string) => {
        let newline = chunk.indexOf("\n");
        if (newline < 0) {
          partial += chunk;
          return;
        }
        deliver(partial + chunk.slice(0, newline));
        for (let from = newline + 1; ; from = newline + 1) {
          newline = chunk.indexOf("\n", from);
          if (newline < 0) {
            partial = chunk.slice(from);
            break;
          }
          deliver(chunk.slice(from, newline));
        }
      });
      response.on("end", () => end(null));
      response.on("error", (error) => end(error));
      response.on("close", () => end(null));
    });
    request.on("socket", (socket) => socket.setKeepAlive(true, WATCH_KEEPALIVE_MS));
    request.on("error", (error) => end(new Error(`GET ${path} (watch): ${error.message}`, { cause: error })));
    request.end();
    return {
      abort: () => {
        ended = true;
        controller.abort();
      },
    };
  }

  async request(
    method: string,
    path: string,
    options: {
      query?: Query;
      body?: unknown;
      contentType?: string;
      timeoutMs?: number;
    } = {},
  ): Promise<unknown> {
    const target = await this.prepare(path, options.query);
    let payload: Buffer | undefined;
    if (options.body !== undefined) {
      payload = Buffer.from(JSON.stringify(options.body));
      target.headers["content-type"] = options.contentType ?? "application/json";
      target.headers["content-length"] = String(payload.length);
    }
    const signal = AbortSignal.timeout(options.timeoutMs ?? this.requestTimeoutMs);
    const { statusCode, text } = await new Promise<{ statusCode: number; text: string }>(
      (resolve, reject) => {
        const req = this.send(target, method, signal, (res) => {
          readText(res).then((body) => resolve({ statusCode: res.statusCode ?? 0, text: body }), reject);
        });
        req.on("error", (error) =>
          reject(new Error(`${method} ${path}: ${error.message}`, { cause: error })),
        );
        req.end(payload);
      },
    );
    if (statusCode >= 200 && statusCode < 300) return parseJson(text);
    throw apiError(statusCode, text, method, path);
  }

  /** The URL, headers and agent of a request, with credentials applied afresh (exec plugins, OIDC refresh them). */
  private async prepare(path: string, query: Query = {}): Promise<RequestTarget> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (cluster === null) throw new Error("the kubeconfig has no current cluster");
    const url = new URL(cluster.server.replace(/\/+$/, "") + path);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const requestOptions: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    const agent = cluster.proxyUrl ? requestOptions.agent : this.keepAliveAgent(url, requestOptions);
    const headers: OutgoingHttpHeaders = { accept: "application/json" };
    for (const [name, value] of Object.entries(requestOptions.headers ?? {})) {
      if (value !== undefined)
        headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    }
    if (requestOptions.auth !== undefined && requestOptions.auth !== null) {
      headers.authorization = `Basic ${Buffer.from(requestOptions.auth).toString("base64")}`;
    }
    return { url, headers, agent };
  }

  private send(
    target: RequestTarget,
    method: string,
    signal: AbortSignal,
    onResponse: (response: IncomingMessage) => void,
  ): ClientRequest {
    const send = target.url.protocol === "https:" ? httpsRequest : httpRequest;
    return send(target.url, { method, headers: target.headers, agent: target.agent, signal }, onResponse);
  }

  private keepAliveAgent(url: URL, options: RequestOptions): HttpAgent {
    this.agent ??=
      url.protocol === "https:"
        ? new HttpsAgent({
            keepAlive: true,
            ca: options.ca,
            cert: options.cert,
            key: options.key,
            pfx: options.pfx,
            passphrase: options.passphrase,
            servername: options.servername,
            ...(options.rejectUnauthorized === undefined
              ? {}
              : { rejectUnauthorized: options.rejectUnauthorized }),
          })
        : new HttpAgent({ keepAlive: true });
    return this.agent;
  }
}

interface RequestTarget {
  url: URL;
  headers: OutgoingHttpHeaders;
  agent: RequestOptions["agent"];
}

function readText(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    response.on("error", reject);
  });
}

/** The apiserver's Status as an error, or the start of whatever else came back. */
function apiError(statusCode: number, text: string, method: string, path: string): KubeApiError {
  const status = (parseJson(text) ?? {}) as { reason?: string; message?: string };
  return new KubeApiError(
    statusCode,
    status.reason ?? "Unknown",
    status.message ?? (text.slice(0, 200) || "no response body"),
    method,
    path,
  );
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** List items and watch objects arrive without apiVersion/kind; fill them in so every object is self-describing. */
function withKind<T extends KubeObject>(resource: ResourceType, object: T): T {
  if (object.apiVersion === resource.apiVersion && object.kind === resource.kind) return object;
  return { ...object, apiVersion: resource.apiVersion, kind: resource.kind };
}
