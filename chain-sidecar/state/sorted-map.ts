// The in-memory sorted map behind committed state: sorted-btree's B+ tree.
import { createRequire } from "node:module";
import type btreeModule from "sorted-btree";

// sorted-btree is CommonJS with `exports.default`; ESM loaders disagree on its default import, require() does not.
const loaded = createRequire(import.meta.url)("sorted-btree") as { default: typeof btreeModule.default };
export const SortedMap = loaded.default;
export type SortedMap<K, V> = InstanceType<typeof btreeModule.default<K, V>>;
