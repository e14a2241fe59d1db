// The informer's local cache: objects keyed by namespace/name, plus secondary indexes (by owner, by label, …).
import { objectKey, type KubeObject, type ObjectKey } from "./resource.js";

/** Maps an object to the index values it should be found under (none, one or many). */
export type IndexFunction<T> = (object: T) => string[];

/** Files the object's key under each value the indexer gives it. */
function addToIndex<T>(
  index: Map<string, Set<ObjectKey>>,
  indexer: IndexFunction<T>,
  key: ObjectKey,
  object: T,
): void {
  for (const value of new Set(indexer(object))) {
    let keys = index.get(value);
    if (keys === undefined) {
      keys = new Set();
      index.set(value, keys);
    }
    keys.add(key);
  }
}

export class Store<T extends KubeObject> {
  private readonly objects = new Map<ObjectKey, T>();
  /** index name → index value → keys of the objects under that value */
  private readonly indexes = new Map<string, Map<string, Set<ObjectKey>>>();

  private readonly indexers: Record<string, IndexFunction<T>> = {};

  constructor(indexers: Record<string, IndexFunction<T>> = {}) {
    for (const [name, indexer] of Object.entries(indexers)) this.addIndexer(name, indexer);
  }

  /** Adds an index and files every stored object under it; adding the same function again is a no-op. */
  addIndexer(name: string, indexer: IndexFunction<T>): void {
    const existing = this.indexers[name];
    if (existing === indexer) return;
    if (existing !== undefined) throw new Error(`the store already has a different index named "${name}"`);
    this.indexers[name] = indexer;
    const index = new Map<string, Set<ObjectKey>>();
    this.indexes.set(name, index);
    for (const [key, object] of this.objects) addToIndex(index, indexer, key, object);
  }

  get(key: ObjectKey): T | undefined {
    return this.objects.get(key);
  }

  has(key: ObjectKey): boolean {
    return this.objects.has(key);
  }

  get size(): number {
    return this.objects.size;
  }

  /** Every key, sorted, so callers iterate in a stable order. */
  keys(): ObjectKey[] {
    return [...this.objects.keys()].sort();
  }

  /** Every object, sorted by key; only one namespace's when one is given. */
  list(namespace?: string): T[] {
    const keys = this.keys();
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    return keys
      .filter((key) => prefix === undefined || key.startsWith(prefix))
      .map((key) => this.objects.get(key)!);
  }

  /** Objects filed under `value` in the index `indexName`, sorted by key. */
  byIndex(indexName: string, value: string): T[] {
    const index = this.indexes.get(indexName);
    if (index === undefined) throw new Error(`the store has no index named "${indexName}"`);
    return [...(index.get(value) ?? [])].sort().map((key) => this.objects.get(key)!);
  }

  /** Inserts or replaces; returns the object it replaced. */
  upsert(object: T): T | undefined {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    if (previous !== undefined) this.unindex(key, previous);
    this.objects.set(key, object);
    this.index(key, object);
    return previous;
  }

  /** Removes; returns the object that was stored. */
  remove(key: ObjectKey): T | undefined {
    const previous = this.objects.get(key);
    if (previous === undefined) return undefined;
    this.unindex(key, previous);
    this.objects.delete(key);
    return previous;
  }

  private index(key: ObjectKey, object: T): void {
    for (const [name, indexer] of Object.entries(this.indexers)) {
      addToIndex(this.indexes.get(name)!, indexer, key, object);
    }
  }

  private unindex(key: ObjectKey, object: T): void {
    for (const [name, indexer] of Object.entries(this.indexers)) {
      const index = this.indexes.get(name)!;
      for (const value of indexer(object)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}

/** Index by controller owner: value "<kind>/<namespace>/<name>" (namespace empty for cluster-scoped owners). */
export function byControllerOwner(object: KubeObject): string[] {
  const owner = object.metadata.ownerReferences?.find((reference) => reference.controller === true);
  return owner === undefined ? [] : [`${owner.kind}/${object.metadata.namespace ?? ""}/${owner.name}`];
}

/** An index function filing objects under the value of one label. */
export function byLabel<T extends KubeObject>(label: string): IndexFunction<T> {
  return (object) => {
    const value = object.metadata.labels?.[label];
    return value === undefined ? [] : [value];
  };
}
