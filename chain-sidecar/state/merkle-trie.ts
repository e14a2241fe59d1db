// The app hash: a Merkle Patricia trie (Ethereum's, as @ethereumjs/mpt builds it) over every state key, hashed with
// sha256 as CometBFT is. Blocks update it in one pass (updateTrie); its nodes live on disk (TrieNodeStore) and it opens
// at the stored root: nothing is rebuilt on start. mpt verifies its proofs.
// Trie paths are hashed state keys behind their family's subtree (keyPath): 34 bytes walk fewer nibbles than raw keys.
import { verifyMerkleProof } from "@ethereumjs/mpt";
import type { StateChange } from "./state-access.js";
import { pathChanges, readNode, updateTrie } from "./trie-batch-update.js";
import { sha256 } from "./sha256.js";
import type { NodeWrite } from "./table-write.js";
import { EMPTY_TRIE_ROOT } from "./trie-hash.js";
import { InMemoryNodeTable, TrieNodeStore } from "./trie-node-store.js";
import { keyPath, toNibbles } from "./trie-paths.js";
import { proveTriePath } from "./trie-proof.js";

const encoder = new TextEncoder();
// About 4 MB at most: enough for the keys a run of busy blocks changes.
const PATH_CACHE_ENTRIES = 20_000;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

export class MerkleTrie {
  /** The root last written to disk: where `revert` goes back to. */
  private committedRoot: Uint8Array;

  private constructor(
    private currentRoot: Uint8Array,
    private readonly nodes: TrieNodeStore,
  ) {
    this.committedRoot = currentRoot;
  }

  /** A trie in memory only (for checks and tests). */
  static create(): Promise<MerkleTrie> {
    return MerkleTrie.open(new TrieNodeStore(new InMemoryNodeTable()), undefined);
  }

  /** The trie whose nodes are in `nodes`, at `root` (the empty trie when undefined). */
  static open(nodes: TrieNodeStore, root: Uint8Array | undefined): Promise<MerkleTrie> {
    if (root !== undefined && Buffer.compare(root, EMPTY_TRIE_ROOT) !== 0) {
      try {
        readNode(nodes, new Uint8Array(0), root);
      } catch (error) {
        throw new Error(
          `the trie's root ${hex(root)} cannot be read: the data directory is damaged (${(error as Error).message})`,
        );
      }
    }
    return Promise.resolve(new MerkleTrie(root ?? EMPTY_TRIE_ROOT, nodes));
  }

  /** Applies changes (the last one per key wins) in one pass and returns the new root. */
  apply(changes: readonly StateChange[]): Promise<Uint8Array> {
    const current = this.currentRoot;
    const root = updateTrie(
      Buffer.compare(current, EMPTY_TRIE_ROOT) === 0 ? undefined : current,
      pathChanges(changes, (key) => this.pathOf(key)),
      this.nodes,
      sha256,
    );
    this.currentRoot = root ?? EMPTY_TRIE_ROOT;
    return Promise.resolve(this.root());
  }

  root(): Uint8Array {
    return new Uint8Array(this.currentRoot);
  }

  /** The root at the last `markCommitted`, whatever was applied since. */
  committedRootHash(): Uint8Array {
    return new Uint8Array(this.committedRoot);
  }

  // The hashed path of each key seen lately: the same accounts and records change block after block.
  private readonly paths = new Map<string, Uint8Array>();

  private pathOf(key: string): Uint8Array {
    let path = this.paths.get(key);
    if (path === undefined) {
      if (this.paths.size >= PATH_CACHE_ENTRIES) this.paths.clear();
      path = keyPath(encoder.encode(key));
      this.paths.set(key, path);
    }
    return path;
  }

  /** Drops every change applied since the last commit: the trie is back at the committed root. */
  revert(): void {
    this.nodes.discardPending();
    this.currentRoot = this.committedRoot;
  }

  /** Back to the empty trie, for a store whose tables were just emptied. */
  reset(): void {
    this.nodes.discardPending();
    this.nodes.clearCache();
    this.currentRoot = EMPTY_TRIE_ROOT;
    this.committedRoot = EMPTY_TRIE_ROOT;
  }

  /** The changes applied so far are committed: the current root is the committed one (its nodes still in memory). */
  markCommitted(): void {
    this.nodes.commitPending();
    this.committedRoot = this.root();
  }

  /** The committed nodes not yet on disk, for the store's next table write; then `markWritten`. */
  takeNodeWrites(): NodeWrite[] {
    return this.nodes.takeUnwritten();
  }

  /** After the table write committed: the nodes it wrote are read from disk (or the cache) from now on. */
  markWritten(): void {
    this.nodes.markWritten();
  }

  /** About how many bytes of committed nodes wait in memory for the store's next table write. */
  get unwrittenBytes(): number {
    return this.nodes.unwrittenBytes;
  }

  /** The nodes the changes applied since the last commit wrote, and their bytes: what those changes cost the trie. */
  pendingNodeWrites(): { nodes: number; bytes: number } {
    return this.nodes.pendingWrites();
  }

  /** Trie nodes stored (with pruning, about proportional to the number of live keys). */
  nodeCount(): number {
    return this.nodes.count();
  }

  /**
   * The trie nodes from the last committed root to `key` (or to where it would be, proving absence), whatever was
   * applied since: a commit proves the keys its block deletes before writing it.
   */
  proveCommitted(key: string): Uint8Array[] {
    if (Buffer.compare(this.committedRoot, EMPTY_TRIE_ROOT) === 0) return [];
    const committed = {
      read: (position: Uint8Array, hash: Uint8Array) => this.nodes.readCommitted(position, hash),
    };
    return proveTriePath(this.committedRoot, toNibbles(keyPath(encoder.encode(key))), committed);
  }
}

/** Checks a proof against a root; returns the proven value, or null when it proves the key absent. Throws if invalid. */
export async function verifyTrieProof(
  root: Uint8Array,
  key: string,
  proof: readonly Uint8Array[],
): Promise<Uint8Array | null> {
  if (proof.length === 0) {
    // An empty trie has no nodes to show; its root is the hash of RLP's empty string (0x80) and proves every key absent.
    if (Buffer.compare(root, EMPTY_TRIE_ROOT) === 0) return null;
    throw new Error("an empty proof only proves absence from an empty trie");
  }
  // mpt hashes nodes with its key-hashing function, so it gets sha256 and the path ready-made.
  return verifyMerkleProof(keyPath(encoder.encode(key)), [...proof], {
    root,
    useKeyHashing: false,
    useKeyHashingFunction: sha256,
  });
}
