// Committed state: every key in memory (a sorted map) and on disk (LevelDB), written atomically once per block.
import { mkdirSync } from "node:fs";
import { ClassicLevel } from "classic-level";
import { MerkleTrie } from "./merkle-trie.js";
import { scanBounds, type StateChange, type StateEntry, type StateReader } from "./state-access.js";
import { SortedMap } from "./sorted-map.js";

const STATE_PREFIX = "s/";
const HEIGHT_KEY = "m/height";
const APP_HASH_KEY = "m/appHash";

export class CommittedStore implements StateReader {
  private readonly values = new SortedMap<string, Uint8Array>();
  private lastHeight = 0;
  private lastAppHash: Uint8Array = new Uint8Array();

  private constructor(
    private readonly db: ClassicLevel<string, Uint8Array>,
    /** Always equal to the root over `values` plus whatever the app has applied since the last commit. */
    readonly trie: MerkleTrie,
  ) {}

  /** Opens (or creates) the store in `dataDir` and checks that the state on disk hashes to the stored app hash. */
  static async open(dataDir: string): Promise<CommittedStore> {
    mkdirSync(dataDir, { recursive: true });
    const db = new ClassicLevel<string, Uint8Array>(dataDir, { keyEncoding: "utf8", valueEncoding: "view" });
    await db.open();
    const store = new CommittedStore(db, await MerkleTrie.create());
    try {
      await store.load();
    } catch (error) {
      await db.close();
      throw error;
    }
    return store;
  }

  private async load(): Promise<void> {
    const height = await this.db.get(HEIGHT_KEY);
    if (height === undefined) return;
    this.lastHeight = Number(new TextDecoder().decode(height));
    this.lastAppHash = new Uint8Array((await this.db.get(APP_HASH_KEY)) ?? new Uint8Array());
    const loaded: StateChange[] = [];
    for await (const [key, value] of this.db.iterator({ gte: STATE_PREFIX, lt: `${STATE_PREFIX}\x7f` })) {
      const stateKey = key.slice(STATE_PREFIX.length);
      const copy = new Uint8Array(value);
      this.values.set(stateKey, copy);
      loaded.push([stateKey, copy]);
    }
    const root = await this.trie.apply(loaded);
    if (Buffer.compare(root, this.lastAppHash) !== 0) {
      throw new Error(
        `state on disk at height ${this.lastHeight} hashes to ${Buffer.from(root).toString("hex")}, ` +
          `but the stored app hash is ${Buffer.from(this.lastAppHash).toString("hex")}: the data directory is damaged`,
      );
    }
  }

  get height(): number {
    return this.lastHeight;
  }

  get appHash(): Uint8Array {
    return this.lastAppHash;
  }

  get keyCount(): number {
    return this.values.size;
  }

  get(key: string): Uint8Array | undefined {
    return this.values.get(key);
  }

  entries(prefix: string, range?: { from?: string; to?: string }): StateEntry[] {
    const [low, high] = scanBounds(prefix, range);
    return this.values.getRange(low, high, false);
  }

  /** Persists one block's changes with its height and app hash in one synchronous batch, then updates memory. */
  async commit(changes: readonly StateChange[], height: number, appHash: Uint8Array): Promise<void> {
    const batch = this.db.batch();
    for (const [key, value] of changes) {
      if (value === null) batch.del(STATE_PREFIX + key);
      else batch.put(STATE_PREFIX + key, value);
    }
    batch.put(HEIGHT_KEY, new TextEncoder().encode(String(height)));
    batch.put(APP_HASH_KEY, appHash);
    await batch.write({ sync: true });
    for (const [key, value] of changes) {
      if (value === null) this.values.delete(key);
      else this.values.set(key, value);
    }
    this.lastHeight = height;
    this.lastAppHash = appHash;
  }

  async close(): Promise<void> {
    if (this.db.status === "open") await this.db.close();
  }
}
