// List + watch one resource into a local store and tell handlers what changed, surviving every kind of failure:
// 410 Gone relists, errors back off (capped, jittered), a watch that goes silent is restarted by a watchdog.
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../observability/logger.js";
import { silentLogger } from "../observability/logger.js";
import type { OperatorMetrics } from "../observability/metrics.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { isGone } from "./kube-api-error.js";
import type { KubeClient, WatchEvent, WatchHandle } from "./kube-client.js";
import { describeResource, objectKey, type KubeObject, type ResourceType } from "./resource.js";
import { Store, type IndexFunction } from "./store.js";

export interface InformerHandler<T extends KubeObject> {
  add?(object: T): void;
  update?(previous: T, current: T): void;
  /** Gets the last state known: the object from the DELETED event, or from the cache when a relist missed it. */
  delete?(object: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  client: KubeClient;
  resource: ResourceType;
  /** Only this namespace; every namespace when omitted. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  indexers?: Record<string, IndexFunction<T>>;
  /** A watch that delivers nothing, not even a bookmark, for this long is restarted. Default 5 minutes. */
  watchIdleTimeoutMs?: number;
  /** Server-side watch timeout; each watch draws one in [t, 2t) like client-go's reflector. Default 300 s. */
  watchTimeoutSeconds?: number;
  /** Delays between failed lists or watches. Default 800 ms doubling to 30 s, 50% jitter. */
  backoff?: BackoffOptions;
  /** A watch that ends cleanly after living this long is reopened at once; sooner, it counts as a failure. */
  minHealthyWatchMs?: number;
  logger?: Logger;
  metrics?: OperatorMetrics;
  /** Turns each listed or watched object into what the store keeps (say, only the fields read); must keep metadata. */
  decode?: (object: KubeObject) => T;
}

type WatchEnd =
  | { reason: "closed"; healthy: boolean }
  | { reason: "error"; healthy: boolean; error: unknown }
  | { reason: "expired"; healthy: boolean }
  | { reason: "idle"; healthy: boolean }
  | { reason: "stopped"; healthy: boolean };

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 800, maxMs: 30_000, jitter: 0.5 };
const DEFAULT_IDLE_MS = 300_000;
const DEFAULT_WATCH_TIMEOUT_S = 300;
const DEFAULT_MIN_HEALTHY_MS = 1_000;

export class Informer<T extends KubeObject> {
  readonly store: Store<T>;
  readonly resource: ResourceType;
  private readonly handlers = new Set<InformerHandler<T>>();
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private readonly label: string;
  private resourceVersion = "";
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private stopper = new AbortController();
  private currentWatch: { handle?: WatchHandle; finish: (end: WatchEnd) => void } | undefined;

  constructor(private readonly options: InformerOptions<T>) {
    this.resource = options.resource;
    this.store = new Store<T>(options.indexers);
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this.label = describeResource(options.resource);
    this.log = (options.logger ?? silentLogger()).child({
      informer: this.label,
      namespace: options.namespace,
    });
  }

  /** Adds a handler; once the informer has synced, the handler first gets an add for every cached object. */
  addHandler(handler: InformerHandler<T>): () => void {
    this.handlers.add(handler);
    if (this.synced) for (const object of this.store.list()) this.call(handler, "add", object);
    return () => this.handlers.delete(handler);
  }

  /** True once the first list is in the store. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the next watch resumes from. */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Resolves once synced; rejects after `timeoutMs` or when `signal` aborts, whichever comes first. */
  async waitForSync(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    if (this.synced) return;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let wake: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        wake = resolve;
        this.syncWaiters.push(resolve);
        if (options.timeoutMs !== undefined) {
          const ms = options.timeoutMs;
          timer = setTimeout(
            () => reject(new Error(`the ${this.label} informer did not sync within ${ms} ms`)),
            ms,
          );
        }
        if (options.signal !== undefined) {
          if (options.signal.aborted)
            reject(new Error(`stopped waiting for the ${this.label} informer to sync`));
          onAbort = () => reject(new Error(`stopped waiting for the ${this.label} informer to sync`));
          options.signal.addEventListener("abort", onAbort, { once: true });
        }
      });
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) options.signal?.removeEventListener("abort", onAbort);
      const index = wake === undefined ? -1 : this.syncWaiters.indexOf(wake);
      if (index >= 0) this.syncWaiters.splice(index, 1);
    }
  }

  /** Adds an index to the store (re-indexing what is cached); controllers sharing the informer may each add some. */
  addIndexer(name: string, indexer: IndexFunction<T>): void {
    this.store.addIndexer(name, indexer);
  }

  start(): void {
    if (this.running !== undefined) return;
    this.stopper = new AbortController();
    this.running = this.run();
  }

  async stop(): Promise<void> {
    if (this.running === undefined) return;
    this.stopper.abort();
    this.currentWatch?.handle?.abort();
    this.currentWatch?.finish({ reason: "stopped", healthy: true });
    await this.running;
    this.running = undefined;
  }

  private isStopped(): boolean {
    return this.stopper.signal.aborted;
  }

  private async run(): Promise<void> {
    let needList = true;
    let justListed = false;
    while (!this.isStopped()) {
      if (needList) {
        try {
          await this.relist();
          needList = false;
          justListed = true;
        } catch (error) {
          const delay = this.backoff.next();
          this.log.warn({ err: error, retryInMs: Math.round(delay) }, "list failed");
          await this.pause(delay);
          continue;
        }
      }
      const end = await this.watchOnce();
      const fromFreshList = justListed;
      justListed = false;
      if (this.isStopped()) break;
      this.options.metrics?.informerWatchRestarts.inc({ resource: this.label, reason: end.reason });
      if (end.healthy) this.backoff.reset();
      if (end.reason === "expired") {
        this.log.info({ resourceVersion: this.resourceVersion }, "watch resourceVersion expired; relisting");
        // A watch from a list just made should not expire at once; if it does, do not spin on list requests.
        if (fromFreshList && !end.healthy) await this.pause(this.backoff.next());
        needList = true;
        continue;
      }
      if (end.reason === "idle") {
        this.log.warn({ resourceVersion: this.resourceVersion }, "watch went silent; restarting it");
        continue;
      }
      if (end.reason === "closed" && end.healthy) continue;
      const delay = this.backoff.next();
      if (end.reason === "error") {
        this.log.warn({ err: end.error, retryInMs: Math.round(delay) }, "watch failed");
      }
      await this.pause(delay);
    }
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.stopper.signal });
    } catch {
      // stopped while waiting
    }
  }

  /** Lists everything and makes the store equal to the list, telling handlers the difference. */
  private async relist(): Promise<void> {
    this.options.metrics?.informerLists.inc({ resource: this.label });
    const list = await this.options.client.list<T>(this.options.resource, {
      namespace: this.options.namespace,
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
    });
    if (this.isStopped()) return;
    const listed = new Set<string>();
    for (const item of list.items) {
      const object = this.decode(item);
      listed.add(objectKey(object));
      this.apply(object);
    }
    for (const key of this.store.keys()) {
      if (listed.has(key)) continue;
      const removed = this.store.remove(key);
      if (removed !== undefined) this.emit("delete", removed);
    }
    this.resourceVersion = list.resourceVersion;
    this.backoff.reset();
    this.log.debug({ count: list.items.length, resourceVersion: list.resourceVersion }, "listed");
    if (!this.synced) {
      this.synced = true;
      for (const wake of this.syncWaiters.splice(0)) wake();
    }
  }

  /** Runs one watch from the last resourceVersion until it ends, and says how it ended. */
  private watchOnce(): Promise<WatchEnd> {
    const idleMs = this.options.watchIdleTimeoutMs ?? DEFAULT_IDLE_MS;
    const baseTimeout = this.options.watchTimeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_S;
    const minHealthyMs = this.options.minHealthyWatchMs ?? DEFAULT_MIN_HEALTHY_MS;
    const startedAt = performance.now();
    let events = 0;
    return new Promise<WatchEnd>((resolve) => {
      let finished = false;
      let idleTimer: NodeJS.Timeout | undefined;
      const session: { handle?: WatchHandle; finish: (end: WatchEnd) => void } = {
        finish: (end) => {
          if (finished) return;
          finished = true;
          clearTimeout(idleTimer);
          session.handle?.abort();
          if (this.currentWatch === session) this.currentWatch = undefined;
          resolve(end);
        },
      };
      const healthy = (): boolean => events > 0 || performance.now() - startedAt >= minHealthyMs;
      const armWatchdog = (): void => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => session.finish({ reason: "idle", healthy: events > 0 }), idleMs);
      };
      this.currentWatch = session;
      armWatchdog();
      const onEvent = (event: WatchEvent): void => {
        if (finished) return;
        armWatchdog();
        this.options.metrics?.informerEvents.inc({ resource: this.label, type: event.type });
        if (event.type === "ERROR") {
          const status = event.object as unknown as { code?: number; message?: string };
          if (status.code === 410 || /too old resource version/i.test(status.message ?? "")) {
            session.finish({ reason: "expired", healthy: events > 0 });
          } else {
            session.finish({
              reason: "error",
              healthy: false,
              error: new Error(`watch error event: ${status.code ?? "?"} ${status.message ?? ""}`),
            });
          }
          return;
        }
        events++;
        this.handleEvent(event);
      };
      const onDone = (error: unknown): void => {
        if (finished) return;
        if (error === null || error === undefined) {
          session.finish({ reason: "closed", healthy: healthy() });
        } else if (
          isGone(error) ||
          /too old resource version/i.test(String((error as { message?: unknown }).message))
        ) {
          session.finish({ reason: "expired", healthy: events > 0 });
        } else {
          session.finish({ reason: "error", healthy: events > 0, error });
        }
      };
      this.options.client
        .watch(
          this.options.resource,
          {
            namespace: this.options.namespace,
            labelSelector: this.options.labelSelector,
            fieldSelector: this.options.fieldSelector,
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: Math.floor(baseTimeout * (1 + Math.random())),
          },
          onEvent,
          onDone,
        )
        .then((handle) => {
          session.handle = handle;
          // The watchdog or stop() may have ended this session before the connection opened.
          if (finished) handle.abort();
        })
        .catch((error: unknown) => onDone(error ?? new Error("watch failed to start")));
    });
  }

  private handleEvent(event: WatchEvent): void {
    const version = event.object.metadata.resourceVersion;
    if (event.type === "BOOKMARK") {
      if (version !== undefined) this.resourceVersion = version;
      return;
    }
    const object = this.decode(event.object);
    if (event.type === "DELETED") {
      this.store.remove(objectKey(object));
      this.emit("delete", object);
    } else {
      this.apply(object);
    }
    if (version !== undefined) this.resourceVersion = version;
  }

  private decode(object: KubeObject): T {
    return this.options.decode === undefined ? (object as T) : this.options.decode(object);
  }

  /** Stores an object from a list or an ADDED/MODIFIED event; unchanged resourceVersions are not news. */
  private apply(object: T): void {
    const previous = this.store.upsert(object);
    if (previous === undefined) this.emit("add", object);
    else if (previous.metadata.resourceVersion !== object.metadata.resourceVersion) {
      this.emit("update", object, previous);
    }
  }

  private emit(kind: "add" | "delete", object: T): void;
  private emit(kind: "update", object: T, previous: T): void;
  private emit(kind: "add" | "update" | "delete", object: T, previous?: T): void {
    for (const handler of [...this.handlers]) this.call(handler, kind, object, previous);
  }

  private call(
    handler: InformerHandler<T>,
    kind: "add" | "update" | "delete",
    object: T,
    previous?: T,
  ): void {
    try {
      if (kind === "add") handler.add?.(object);
      else if (kind === "update") handler.update?.(previous!, object);
      else handler.delete?.(object);
    } catch (error) {
      this.log.error({ err: error, key: objectKey(object), event: kind }, "informer handler threw");
    }
  }
}
