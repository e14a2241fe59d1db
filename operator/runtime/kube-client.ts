// Plain-JSON access to any resource: list, get, create, replace, merge patch (subresources too), delete, watch.
// Own requests instead of client-node's typed clients: those turn timestamps into Date objects (unlike the watch
// stream) and have no generic path to subresources such as /status of a custom resource.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from "node:https";
import { Watch, type KubeConfig } from "@kubernetes/client-node";
import { KubeApiError } from "./kube-api-error.js";
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

export class KubeClient {
  private readonly watcher: Watch;
  /** One keep-alive agent: client-node makes a new agent per call, which costs a TLS handshake per request. */
  private agent: HttpAgent | undefined;

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {
    this.watcher = new Watch(kubeConfig);
  }

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
    const path = collectionPath(resource, object.metadata.namespace);
    const body = { apiVersion: resource.apiVersion, kind: resource.kind, ...object };
    return withKind(
      resource,
      (await this.request("POST", path, { body, query: { fieldManager: options.fieldManager } })) as T,
    );
  }

  /** PUT: fails with 409 Conflict when `object.metadata.resourceVersion` is stale. */
  async replace<T extends KubeObject>(
    resource: ResourceType,
    object: T,
    options: { fieldManager?: string } = {},
  ): Promise<T> {
    const path = objectPath(resource, { namespace: object.metadata.namespace, name: object.metadata.name! });
    const body = { apiVersion: resource.apiVersion, kind: resource.kind, ...object };
    return withKind(
      resource,
      (await this.request("PUT", path, { body, query: { fieldManager: options.fieldManager } })) as T,
    );
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
   * Opens a watch. `onEvent` gets each decoded event; `onDone` is called once when the stream ends or fails
   * (an HTTP error carries `statusCode`). Handler exceptions are not swallowed silently: they end the watch.
   */
  async watch(
    resource: ResourceType,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
    onDone: (error: unknown) => void,
  ): Promise<WatchHandle> {
    let handlerError: unknown;
    const opened: { controller?: AbortController } = {};
    let abortRequested = false;
    const controller = await this.watcher.watch(
      collectionPath(resource, options.namespace),
      {
        resourceVersion: options.resourceVersion,
        allowWatchBookmarks: options.allowWatchBookmarks,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        timeoutSeconds: options.timeoutSeconds,
      },
      (type: string, object: KubeObject) => {
        if (handlerError !== undefined || abortRequested) return;
        try {
          const typed = type as WatchEventType;
          onEvent({ type: typed, object: typed === "ERROR" ? object : withKind(resource, object) });
        } catch (error) {
          // client-node's watch drops exceptions from the callback; keep the first and end the watch with it.
          handlerError = error;
          opened.controller?.abort();
        }
      },
      (error: unknown) => onDone(handlerError ?? error),
    );
    opened.controller = controller;
    if (handlerError !== undefined) controller.abort();
    return {
      abort: () => {
        abortRequested = true;
        controller.abort();
      },
    };
  }

  async request(
    method: string,
    path: string,
    options: {
      query?: Record<string, string | number | boolean | undefined>;
      body?: unknown;
      contentType?: string;
      timeoutMs?: number;
    } = {},
  ): Promise<unknown> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (cluster === null) throw new Error("the kubeconfig has no current cluster");
    const url = new URL(cluster.server.replace(/\/+$/, "") + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    // Applied per request so that refreshed credentials (exec plugins, OIDC) are picked up.
    const requestOptions: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    const agent =
      cluster.proxyUrl === undefined ? this.keepAliveAgent(url, requestOptions) : requestOptions.agent;
    const headers: Record<string, string> = { accept: "application/json" };
    for (const [name, value] of Object.entries(requestOptions.headers ?? {})) {
      if (value !== undefined)
        headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    }
    if (requestOptions.auth !== undefined && requestOptions.auth !== null) {
      headers.authorization = `Basic ${Buffer.from(requestOptions.auth).toString("base64")}`;
    }
    let payload: Buffer | undefined;
    if (options.body !== undefined) {
      payload = Buffer.from(JSON.stringify(options.body));
      headers["content-type"] = options.contentType ?? "application/json";
      headers["content-length"] = String(payload.length);
    }
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const { statusCode, text } = await new Promise<{ statusCode: number; text: string }>(
      (resolve, reject) => {
        const req = send(
          url,
          {
            method,
            headers,
            agent,
            signal: AbortSignal.timeout(options.timeoutMs ?? this.requestTimeoutMs),
          },
          (res: IncomingMessage) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () =>
              resolve({ statusCode: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
            );
            res.on("error", reject);
          },
        );
        req.on("error", (error) =>
          reject(new Error(`${method} ${path}: ${error.message}`, { cause: error })),
        );
        req.end(payload);
      },
    );
    const parsed = parseJson(text);
    if (statusCode >= 200 && statusCode < 300) return parsed;
    const status = (parsed ?? {}) as { reason?: string; message?: string };
    throw new KubeApiError(
      statusCode,
      status.reason ?? "Unknown",
      status.message ?? (text.slice(0, 200) || "no response body"),
      method,
      path,
    );
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
