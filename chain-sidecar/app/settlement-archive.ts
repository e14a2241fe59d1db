// The node's archive of pod settlements that left consensus state (metering's retention window): outside the app
// hash, in its own LMDB file under the data directory, written at each commit before the state is. Every record is
// kept as last committed, with the height and app hash it was committed under and its Merkle proof against that app
// hash, so queries still answer for it (marked archived) and a proven query checks it as it checks live state. Proof
// nodes are stored once by hash: the records one block prunes share their upper nodes.
import { join } from "node:path";
import { open, type Database, type RootDatabase } from "lmdb";
import { CLOSED_POD_PREFIX } from "../modules/metering/metering-records.js";
import { decodeRecord, type JsonValue } from "../state/canonical-json.js";
import { sha256 } from "../state/sha256.js";
import type { StateChange, StateReader } from "../state/state-access.js";

const FILE_NAME = "settlement-archive.mdb";
/** The archive's table of proof nodes: sha256 → node bytes. */
const PROOF_NODES = "proof-nodes";
/** Archive keys of a contract's archived pods: `contract/<id>/<pod UID>` → the pod's state key. */
const BY_CONTRACT = "contract/";
/** The most archived settlements one answer lists; `next` names the pod UID to continue after. */
export const ARCHIVE_PAGE_SIZE = 100;
const CONTRACT_PATH =
  /^\/archive\/settlements\/contract\/([0-9a-f]{1,64})(?:\/after\/([0-9A-Za-z-]{1,128}))?$/;

export interface ArchivedRecord {
  /** The record's bytes as they were in state. */
  readonly value: Uint8Array;
  /** The last height at which it was in committed state, and that height's app hash (hex). */
  readonly height: number;
  readonly appHash: string;
}

interface StoredEntry {
  value: string;
  height: number;
  appHash: string;
  /** The proof's nodes by hash, root first; absent in records archived before proofs were kept. */
  proof?: string[];
}

/** An archived record with its proof: the trie nodes from `height`'s app hash down to its key. */
export interface ProvenArchivedRecord extends ArchivedRecord {
  readonly nodes: Uint8Array[];
}

/** A settlement record's JSON with where it can be checked, as queries show an archived one. */
export function markedArchived(record: ArchivedRecord): Record<string, JsonValue> {
  const json = decodeRecord(record.value) as Record<string, JsonValue>;
  return { ...json, archived: { height: record.height, appHash: record.appHash } };
}

function recordOf(entry: StoredEntry): ArchivedRecord {
  return { value: new TextEncoder().encode(entry.value), height: entry.height, appHash: entry.appHash };
}

export class SettlementArchive {
  private constructor(
    private readonly db: RootDatabase<StoredEntry | string, string>,
    private readonly nodes: Database<Buffer, Buffer>,
  ) {}

  static open(dataDir: string): SettlementArchive {
    const db = open<StoredEntry | string, string>({
      path: join(dataDir, FILE_NAME),
      encoding: "json",
      maxDbs: 1,
    });
    return new SettlementArchive(
      db,
      db.openDB<Buffer, Buffer>(PROOF_NODES, { encoding: "binary", keyEncoding: "binary" }),
    );
  }

  /**
   * Keeps every (closed) settlement the block prunes, read from `committed` (the state at `height`, whose app hash is
   * `appHash`) before the block's changes are written. Synchronous and durable before it returns, so a crash
   * between it and the state's commit only archives a record twice, never loses one.
   */
  keepDeleted(
    committed: StateReader,
    changes: readonly StateChange[],
    height: number,
    appHash: Uint8Array,
    prove: (stateKey: string) => Uint8Array[],
  ): number {
    const deleted = changes.filter(([key, value]) => value === null && key.startsWith(CLOSED_POD_PREFIX));
    if (deleted.length === 0) return 0;
    const hash = Buffer.from(appHash).toString("hex");
    const stored = new Set<string>();
    const storeNode = (node: Uint8Array): string => {
      const nodeHash = Buffer.from(sha256(node));
      const name = nodeHash.toString("hex");
      if (!stored.has(name) && !this.nodes.doesExist(nodeHash))
        void this.nodes.put(nodeHash, Buffer.from(node.buffer, node.byteOffset, node.byteLength));
      stored.add(name);
      return name;
    };
    let kept = 0;
    this.db.transactionSync(() => {
      for (const [key] of deleted) {
        const value = committed.get(key);
        if (value === undefined) continue;
        const entry: StoredEntry = {
          value: Buffer.from(value).toString("utf8"),
          height,
          appHash: hash,
          proof: prove(key).map(storeNode),
        };
        void this.db.put(key, entry);
        const { contractId, podUid } = decodeRecord(value) as { contractId: string; podUid: string };
        void this.db.put(`${BY_CONTRACT}${contractId}/${podUid}`, key);
        kept++;
      }
    });
    return kept;
  }

  /** The archived record once stored under `stateKey`, if this node archived one. */
  get(stateKey: string): ArchivedRecord | undefined {
    const entry = this.entry(stateKey);
    return entry === undefined ? undefined : recordOf(entry);
  }

  private entry(stateKey: string): StoredEntry | undefined {
    const entry = this.db.get(stateKey);
    return entry === undefined || typeof entry === "string" ? undefined : entry;
  }

  /**
   * The archived record with its proof; undefined when nothing is archived under `stateKey`. Throws when the record
   * was archived without one (before proofs were kept) or a proof node is missing.
   */
  proof(stateKey: string): ProvenArchivedRecord | undefined {
    const entry = this.entry(stateKey);
    if (entry === undefined) return undefined;
    if (entry.proof === undefined)
      throw new Error(`${stateKey} was archived at height ${entry.height} before the archive kept proofs`);
    const nodes = entry.proof.map((nodeHash) => {
      const node = this.nodes.get(Buffer.from(nodeHash, "hex"));
      if (node === undefined) throw new Error(`the archive lacks proof node ${nodeHash} of ${stateKey}`);
      return new Uint8Array(node);
    });
    return { ...recordOf(entry), nodes };
  }

  /**
   * One page of a contract's archived settlements in pod UID order, after the pod UID `after` (exclusive); `next`
   * is the last one listed when more follow, else null.
   */
  byContract(contractId: string, after?: string): { records: ArchivedRecord[]; next: string | null } {
    const prefix = `${BY_CONTRACT}${contractId}/`;
    const records: ArchivedRecord[] = [];
    let last: string | null = null;
    // getRange reads lazily: this stops one record past the page.
    for (const { key, value } of this.db.getRange({
      start: after === undefined ? prefix : `${prefix}${after}\u0000`,
      end: `${prefix}\x7f`,
    })) {
      const record = typeof value === "string" ? this.get(value) : undefined;
      if (record === undefined) continue;
      if (records.length === ARCHIVE_PAGE_SIZE) return { records, next: last };
      records.push(record);
      last = key.slice(prefix.length);
    }
    return { records, next: null };
  }

  /**
   * The answer to `/archive/settlements/contract/<id>[/after/<pod UID>]` (the explorer's view of a contract whose
   * settlements left state), or undefined for any other path. Served from this node's archive, so it carries no
   * proof.
   */
  answer(path: string): { settlements: JsonValue[]; next: string | null } | undefined {
    const match = CONTRACT_PATH.exec(path);
    if (!match) return undefined;
    const page = this.byContract(match[1]!, match[2]);
    return { settlements: page.records.map(markedArchived), next: page.next };
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
