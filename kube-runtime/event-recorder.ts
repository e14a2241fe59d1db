// Kubernetes Events (events.k8s.io/v1) about the objects the operator manages, so `kubectl describe` tells
// the story. A repeat of the same event is folded into the first one's `series` instead of a new object.
import { randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";
import { EVENT } from "./builtin-resources.js";
import { isNotFound } from "./kube-api-error.js";
import type { KubeClient } from "./kube-client.js";
import type { KubeObject } from "./resource.js";
import type { Logger } from "../observability/logger.js";
import { silentLogger } from "../observability/logger.js";

export type EventType = "Normal" | "Warning";

export interface EventRecorderOptions {
  client: KubeClient;
  /** Who reports, e.g. "uranus.io/operator". */
  reportingController: string;
  /** Which replica reports, e.g. the pod name. */
  reportingInstance: string;
  logger?: Logger;
  /** A repeat within this long of the last occurrence joins its series; later ones start a new Event. */
  seriesWindowMs?: number;
  /** How many distinct events are remembered for aggregation. */
  cacheSize?: number;
  now?: () => Date;
}

export interface EventInput {
  type: EventType;
  /** Why, in CamelCase: "Scheduled", "EscrowOpened", "SettlementFailed". */
  reason: string;
  /** What the operator did or failed to do, in CamelCase: "OpenContract", "Migrate". */
  action: string;
  /** Human-readable detail; at most 1 KiB is kept. */
  note: string;
  related?: KubeObject;
}

/** An Event's `regarding` or `related`: who the object is, not the object (the cache would keep thousands alive). */
type ObjectReference = Record<string, string>;

interface SeriesEntry {
  name: string;
  namespace: string;
  count: number;
  /** Count already written to the apiserver. */
  written: number;
  lastObserved: Date;
  regarding: ObjectReference;
  event: Omit<EventInput, "related"> & { related?: ObjectReference };
  /** The write in progress (create or series patch); further occurrences wait for it. */
  writing: Promise<void> | undefined;
}

const MAX_NOTE_BYTES = 1024;
const DEFAULT_SERIES_WINDOW_MS = 6 * 60_000;

/** metav1.MicroTime: RFC 3339 with six fractional digits. */
export function microTime(time: Date): string {
  return time.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export class EventRecorder {
  private readonly cache: LRUCache<string, SeriesEntry>;
  private readonly pending = new Set<Promise<void>>();
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(private readonly options: EventRecorderOptions) {
    this.cache = new LRUCache({ max: options.cacheSize ?? 4096 });
    this.log = (options.logger ?? silentLogger()).child({ component: "event-recorder" });
    this.now = options.now ?? ((): Date => new Date());
  }

  /** Records an event; never throws and never blocks the caller: a failed write is logged. */
  record(regarding: KubeObject, event: EventInput): void {
    const now = this.now();
    const note = truncateUtf8(event.note, MAX_NOTE_BYTES);
    const namespace = regarding.metadata.namespace ?? "default";
    const key = [
      regarding.apiVersion,
      regarding.kind,
      namespace,
      regarding.metadata.name,
      regarding.metadata.uid,
      event.type,
      event.reason,
      event.action,
      note,
    ].join("\u0000");
    const windowMs = this.options.seriesWindowMs ?? DEFAULT_SERIES_WINDOW_MS;
    let entry = this.cache.get(key);
    if (entry !== undefined && now.getTime() - entry.lastObserved.getTime() > windowMs) entry = undefined;
    if (entry === undefined) {
      entry = {
        name: `${regarding.metadata.name ?? "object"}.${this.uniqueSuffix(now)}`,
        namespace,
        count: 1,
        written: 0,
        lastObserved: now,
        regarding: reference(regarding),
        event: {
          type: event.type,
          reason: event.reason,
          action: event.action,
          note,
          ...(event.related === undefined ? {} : { related: reference(event.related) }),
        },
        writing: undefined,
      };
      this.cache.set(key, entry);
      this.track(entry, this.create(entry, now));
      return;
    }
    entry.count++;
    entry.lastObserved = now;
    entry.regarding = reference(regarding);
    if (entry.writing === undefined) this.track(entry, this.updateSeries(entry));
  }

  /** Resolves when every write started so far has finished. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(entry: SeriesEntry, write: Promise<void>): void {
    let failed = false;
    const done = write
      .catch((error: unknown) => {
        failed = true;
        this.log.warn({ err: error, event: entry.name, namespace: entry.namespace }, "could not write event");
      })
      .finally(() => {
        entry.writing = undefined;
        this.pending.delete(done);
        // Occurrences that arrived between the last write and now must not wait for the next one.
        if (!failed && entry.count > entry.written) this.track(entry, this.updateSeries(entry));
      });
    entry.writing = done;
    this.pending.add(done);
  }

  private async create(entry: SeriesEntry, now: Date): Promise<void> {
    const { regarding, event } = entry;
    await this.options.client.create(EVENT, {
      apiVersion: EVENT.apiVersion,
      kind: EVENT.kind,
      metadata: { name: entry.name, namespace: entry.namespace },
      eventTime: microTime(now),
      reportingController: this.options.reportingController,
      reportingInstance: this.options.reportingInstance,
      action: event.action,
      reason: event.reason,
      type: event.type,
      note: event.note,
      regarding,
      ...(event.related === undefined ? {} : { related: event.related }),
    } as KubeObject);
    entry.written = 1;
    // Occurrences that arrived while the create was in flight go out as one series update.
    if (entry.count > entry.written) await this.updateSeries(entry);
  }

  private async updateSeries(entry: SeriesEntry): Promise<void> {
    while (entry.count > entry.written) {
      const count = entry.count;
      try {
        await this.options.client.mergePatch(
          EVENT,
          { namespace: entry.namespace, name: entry.name },
          { series: { count, lastObservedTime: microTime(entry.lastObserved) } },
        );
      } catch (error) {
        if (!isNotFound(error)) throw error;
        // The Event expired (apiserver TTL); start a fresh one carrying this occurrence.
        entry.name = `${entry.regarding.name ?? "object"}.${this.uniqueSuffix(this.now())}`;
        entry.count = 1;
        entry.written = 0;
        await this.create(entry, entry.lastObserved);
        return;
      }
      entry.written = count;
    }
  }

  /** Time first, like client-go's names, then a random part so two replicas in one millisecond do not collide. */
  private uniqueSuffix(now: Date): string {
    return `${now.getTime().toString(16)}${randomBytes(3).toString("hex")}`;
  }
}

function reference(object: KubeObject): ObjectReference {
  const ref: ObjectReference = {};
  if (object.apiVersion !== undefined) ref.apiVersion = object.apiVersion;
  if (object.kind !== undefined) ref.kind = object.kind;
  if (object.metadata.namespace !== undefined) ref.namespace = object.metadata.namespace;
  if (object.metadata.name !== undefined) ref.name = object.metadata.name;
  if (object.metadata.uid !== undefined) ref.uid = object.metadata.uid;
  if (object.metadata.resourceVersion !== undefined) ref.resourceVersion = object.metadata.resourceVersion;
  return ref;
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let cut = text.slice(0, maxBytes);
  while (Buffer.byteLength(cut) > maxBytes - 3) cut = cut.slice(0, -1);
  return `${cut}...`;
}
