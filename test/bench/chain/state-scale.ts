// Benchmark: committed state at 10k keys vs ≥ 1M keys (per-pod settlement records, about a year of 3k pods: the
// running pods' live ones, and the closed ones of all the others).
// For each size a fresh process, under the sidecar's Node flags, opens the store and commits blocks of changed keys; it
// reports RSS (anonymous memory apart from the file pages LMDB maps), open time, per-block trie-apply and commit times
// (means over a whole number of the store's table writes, which come every few blocks, and the slowest block), and the
// size on disk.
// Both states are built first, then measured in turns (each turn a fresh process on a fresh copy of the state, so
// every turn sees the same sizes), and the medians compared.
// Run: npx tsx test/bench/chain/state-scale.ts [--small 10000] [--keys 1000000] [--block 500] [--blocks 64] [--rounds 5]
// Then the large state's oldest nine tenths of pods have their contracts closed, metering prunes their settlements,
// and it prints the state's size before and after.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  POD_SETTLEMENT_RECORD,
  byContractKey,
  byContributorKey,
  closedPodKey,
  podKey,
} from "../../../chain-sidecar/modules/metering/metering-records.js";
import { SIDECAR_NODE_FLAGS } from "../../../chain-sidecar/node/sidecar-node-flags.js";
import { CommittedStore, DEFAULT_WRITE_EVERY_BLOCKS } from "../../../chain-sidecar/state/committed-store.js";
import type { StateChange } from "../../../chain-sidecar/state/state-access.js";
import { syncPath } from "../../../chain-sidecar/state/state-compaction.js";
import { numericFlag } from "../numeric-flag.js";
import { memory, type Memory } from "../process-memory.js";
import { pruneClosedContracts, type PruningResult, type StateSize } from "./state-scale-pruning.js";

const smallKeys = numericFlag("small", 10_000);
const largeKeys = numericFlag("keys", 1_000_000);
const blockKeys = numericFlag("block", 500);
const measuredBlocks = numericFlag("blocks", 2 * DEFAULT_WRITE_EVERY_BLOCKS);
/** Turns of measuring each state: the machine's load drifts, and alternating puts the same drift on both sides. */
const rounds = numericFlag("rounds", 5);
/** Pods running at once: settlement updates go to these. */
const LIVE_PODS = 3000;
/** Keys one pod leaves in state: its settlement record and its two index entries. */
const KEYS_PER_POD = 3;
/**
 * New pods per measured block (their three keys each), and as many of the oldest running ones whose contracts closed
 * (their settlements move to the closed ones: two keys each); the rest of the block updates running pods' records.
 */
const NEW_PODS_PER_BLOCK = 33;
/** Keys added through ordinary blocks after the first, in blocks of GROWTH_BLOCK_PODS pods. */
const GROWTH_TAIL = 30_000;
const GROWTH_BLOCK_PODS = 3_000;
const encoder = new TextEncoder();

function podUid(pod: number): string {
  const h = createHash("sha256").update(`pod:${pod}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const PODS_PER_CONTRACT = 12;
const contractOf = (pod: number): string =>
  `contract-${String(Math.floor(pod / PODS_PER_CONTRACT)).padStart(7, "0")}`;
const contributorOf = (pod: number): string =>
  "0x" +
  createHash("sha256")
    .update(`contributor:${pod % 500}`)
    .digest("hex")
    .slice(0, 40);

/** A settlement record as metering stores one: `round` advances its counters as intervals are settled. */
function settlement(pod: number, round: number): Uint8Array {
  const seconds = 60 * (round + 1);
  return POD_SETTLEMENT_RECORD.encode({
    podUid: podUid(pod),
    contractId: contractOf(pod),
    replica: pod % 4,
    nodeId: `node-${pod % 1500}`,
    contributor: contributorOf(pod),
    scu: 2 + (pod % 7),
    pricePerScuHour: 1_000_000n + BigInt(pod % 1000),
    billing: pod % 3 === 0 ? "used" : "reserved",
    firstFrom: 1_700_000_000 + pod * 97,
    billedTo: 1_700_000_000 + pod * 97 + seconds,
    seconds,
    measuredSeconds: seconds,
    cpuMilliSeconds: BigInt(seconds) * 1234n,
    memoryByteSeconds: BigInt(seconds) * 512_000_000n,
    billedMilliScuSeconds: BigInt(seconds) * 2000n,
    charged: BigInt(seconds) * 555n,
    fee: BigInt(seconds) * 5n,
    unpaid: 0n,
    carry: BigInt(round % 3600),
    intervals: round + 1,
    lastBatch: `batch-${round}`,
    lastHeight: 1000 + round,
  });
}

/** A new pod's keys; its settlement is a closed one when its contract has closed (all but the last LIVE_PODS pods). */
function newPodKeys(pod: number, closed = false): StateChange[] {
  const uid = podUid(pod);
  return [
    [closed ? closedPodKey(uid) : podKey(uid), settlement(pod, 0)],
    [byContractKey(contractOf(pod), uid), encoder.encode("1")],
    [byContributorKey(contributorOf(pod), uid), encoder.encode("1")],
  ];
}

interface BlockTiming {
  apply: number;
  commit: number;
  cpu: number;
  /** Trie nodes the block wrote, each encoded and hashed once, and their bytes: the trie's work, apart from time. */
  nodesWritten: number;
  nodeBytesWritten: number;
}

const byKey = (a: StateChange, b: StateChange): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

async function commitBlock(store: CommittedStore, changes: StateChange[]): Promise<BlockTiming> {
  changes.sort(byKey);
  // Blocks reach a node as I/O, each in an event turn of its own: lmdb-js starts the tables' write in the next turn.
  await new Promise(setImmediate);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const root = await store.trie.apply(changes);
  const applied = performance.now();
  const written = store.trie.pendingNodeWrites();
  await store.commit(changes, store.height + 1, root);
  const used = process.cpuUsage(cpu);
  return {
    apply: applied - started,
    commit: performance.now() - applied,
    cpu: (used.user + used.system) / 1000,
    nodesWritten: written.nodes,
    nodeBytesWritten: written.bytes,
  };
}

/**
 * Makes a state of at least `keys` keys in `dir`: all but the last `GROWTH_TAIL` keys in a first block (an empty trie
 * is filled bottom-up, as genesis or a state-sync restore would), the rest in blocks of new pods through the trie's
 * ordinary inserts. Returns the number of pods.
 */
async function makeState(dir: string, keys: number): Promise<number> {
  const store = await CommittedStore.open(dir);
  const started = performance.now();
  const tail = Math.min(GROWTH_TAIL, Math.floor(keys / 2));
  const closedBelow = Math.ceil(keys / KEYS_PER_POD) - LIVE_PODS;
  let pods = 0;
  const addPods = async (count: number): Promise<BlockTiming> => {
    const changes: StateChange[] = [];
    for (let pod = pods; pod < pods + count; pod++) changes.push(...newPodKeys(pod, pod < closedBelow));
    pods += count;
    return commitBlock(store, changes);
  };
  const first = await addPods(Math.ceil((keys - tail) / KEYS_PER_POD));
  const filled = performance.now();
  while (store.keyCount < keys) {
    await addPods(Math.min(GROWTH_BLOCK_PODS, Math.ceil((keys - store.keyCount) / KEYS_PER_POD)));
  }
  const seconds = (from: number, to: number): string => ((to - from) / 1000).toFixed(1);
  console.log(
    `  made ${store.keyCount} keys (${pods} pods): first block ${seconds(started, filled)} s ` +
      `(trie ${seconds(0, first.apply)} s, commit ${seconds(0, first.commit)} s), ` +
      `then ${tail} keys in blocks of ${GROWTH_BLOCK_PODS * KEYS_PER_POD} in ${seconds(filled, performance.now())} s`,
  );
  await store.close();
  return pods;
}

interface Measurement {
  keys: number;
  openMs: number;
  before: Memory;
  afterOpen: Memory;
  afterBlocks: Memory;
  applyMs: number;
  commitMs: number;
  /** CPU time of the process per block (apply and commit): less sensitive than wall time to a busy machine. */
  cpuMs: number;
  nodesWritten: number;
  nodeBytesWritten: number;
  /** The slowest block's apply and commit (one that writes the tables). */
  slowestMs: number;
  /** The mean block of the second half, after the first table write: JIT warm-up and cold paths after open are past. */
  laterBlockMs: number;
  fileBytes: number;
  usedBytes: number;
  trieNodes: number;
}

/** A block's wall time: its trie apply and its commit. */
const blockMs = (m: Measurement): number => m.applyMs + m.commitMs;

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

/** In a fresh process: open the store, commit `measuredBlocks` blocks of `blockKeys` changed keys, report. */
async function measure(dir: string, pods: number): Promise<Measurement> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const before = memory();
  const started = performance.now();
  const store = await CommittedStore.open(dir);
  const openMs = performance.now() - started;
  gc();
  const afterOpen = memory();
  const counted: BlockTiming[] = [];
  const updates = blockKeys - NEW_PODS_PER_BLOCK * (KEYS_PER_POD + 2);
  for (let block = 0; block < measuredBlocks + 2; block++) {
    const changes: StateChange[] = [];
    for (let pod = Math.max(0, pods - LIVE_PODS); pod < pods - LIVE_PODS + NEW_PODS_PER_BLOCK; pod++) {
      const uid = podUid(pod);
      changes.push([podKey(uid), null], [closedPodKey(uid), settlement(pod, block + 1)]);
    }
    for (let i = 0; i < NEW_PODS_PER_BLOCK; i++) changes.push(...newPodKeys(pods++));
    for (let i = 0; i < updates; i++) {
      const pod = pods - 1 - ((block * updates + i) % Math.min(LIVE_PODS, pods));
      changes.push([podKey(podUid(pod)), settlement(pod, block + 1)]);
    }
    const unique = [...new Map(changes).entries()];
    const timing = await commitBlock(store, unique);
    // The first two blocks warm the caches; every later one is counted.
    if (block >= 2) counted.push(timing);
  }
  gc();
  const afterBlocks = memory();
  const storage = store.storageBytes();
  const meanOf = (field: (timing: BlockTiming) => number): number => mean(counted.map(field));
  const blockTimes = counted.map((timing) => timing.apply + timing.commit);
  const measurement: Measurement = {
    keys: store.keyCount,
    openMs,
    before,
    afterOpen,
    afterBlocks,
    applyMs: meanOf((timing) => timing.apply),
    commitMs: meanOf((timing) => timing.commit),
    cpuMs: meanOf((timing) => timing.cpu),
    nodesWritten: meanOf((timing) => timing.nodesWritten),
    nodeBytesWritten: meanOf((timing) => timing.nodeBytesWritten),
    slowestMs: Math.max(...blockTimes),
    laterBlockMs: mean(blockTimes.slice(Math.floor(blockTimes.length / 2))),
    fileBytes: storage.file,
    usedBytes: storage.used,
    trieNodes: store.trie.nodeCount(),
  };
  await store.close();
  return measurement;
}

/** Runs `measure` in a child process, so its memory is the store's and not the growth's. */
export function measureIn(dir: string, pods: number): Measurement {
  const child = spawnSync(
    process.execPath,
    [
      // The store as the sidecar runs it: with a young generation of its size, a block's trie nodes die young.
      ...SIDECAR_NODE_FLAGS,
      "--expose-gc",
      "--import",
      "tsx",
      new URL(import.meta.url).pathname,
      "--measure",
      dir,
      String(pods),
      ...process.argv.slice(2),
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) throw new Error(`measuring ${dir} failed (exit ${child.status})`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Measurement;
}

/** `measureIn` on a copy of the state in `dir` (synced, so its write-back does not fall in the measured blocks). */
function measureCopyOf(dir: string, pods: number): Measurement {
  const copy = `${dir}-round`;
  cpSync(dir, copy, { recursive: true });
  try {
    for (const file of readdirSync(copy)) syncPath(join(copy, file));
    return measureIn(copy, pods);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function print(label: string, m: Measurement): void {
  console.log(`${label}: ${m.keys} keys`);
  console.log(`  open                 ${m.openMs.toFixed(1)} ms`);
  console.log(
    `  RSS after open       ${mb(m.afterOpen.rss)} (anon ${mb(m.afterOpen.anon)}, file-backed ${mb(m.afterOpen.file)}); ` +
      `process before open: anon ${mb(m.before.anon)}`,
  );
  console.log(
    `  RSS after ${measuredBlocks + 2} blocks  ${mb(m.afterBlocks.rss)} (anon ${mb(m.afterBlocks.anon)}, file-backed ${mb(m.afterBlocks.file)})`,
  );
  console.log(
    `  per block of ${blockKeys} keys: trie apply ${m.applyMs.toFixed(1)} ms + commit ${m.commitMs.toFixed(1)} ms = ${blockMs(m).toFixed(1)} ms wall, ${m.cpuMs.toFixed(1)} ms CPU (means); slowest ${m.slowestMs.toFixed(1)} ms; second half ${m.laterBlockMs.toFixed(1)} ms`,
  );
  console.log(
    `  trie work per block  ${m.nodesWritten.toFixed(0)} nodes written (each encoded and hashed), ${(m.nodeBytesWritten / 1024).toFixed(1)} KB`,
  );
  console.log(
    `  on disk              ${mb(m.usedBytes)} in live pages, file ${mb(m.fileBytes)}; ${m.trieNodes} trie nodes`,
  );
}

/** The contracts of the oldest nine tenths of the pods: closed long enough ago for their settlements to go. */
function closedContracts(pods: number): string[] {
  const last = Math.floor(Math.floor(pods * 0.9) / PODS_PER_CONTRACT);
  return Array.from({ length: last }, (_, i) => contractOf(i * PODS_PER_CONTRACT));
}

function printPruning(result: PruningResult): void {
  const size = (s: StateSize): string =>
    `${s.keys} keys, ${mb(s.usedBytes)} in live pages, file ${mb(s.fileBytes)}, ${s.trieNodes} trie nodes`;
  console.log(
    `  pruning              ${result.prunedPods} pods' settlements of closed contracts in ${result.blocks} blocks, ` +
      `${result.seconds.toFixed(1)} s (the first ${result.movingBlocks} only look for live ones to move: ` +
      `the state was built with them closed)`,
  );
  console.log(`    before             ${size(result.before)}`);
  console.log(`    after              ${size(result.after)}`);
  console.log(
    `    compacted          file ${mb(result.compactedFileBytes)} (uranus chain compact, node stopped)`,
  );
}

/** The round whose block (apply and commit) took the median time. */
function medianRound(measurements: Measurement[]): Measurement {
  const sorted = [...measurements].sort((a, b) => blockMs(a) - blockMs(b));
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  console.log(
    `state-scale: blocks of ${blockKeys} changed keys (${NEW_PODS_PER_BLOCK} new pods, ${NEW_PODS_PER_BLOCK} whose ` +
      `contracts closed, the rest settlement updates of ${LIVE_PODS} running pods); load ${loadavg()[0]!.toFixed(2)}`,
  );
  const smallDir = mkdtempSync(join(tmpdir(), "uranus-state-scale-small-"));
  const largeDir = mkdtempSync(join(tmpdir(), "uranus-state-scale-large-"));
  try {
    const smallPods = await makeState(smallDir, smallKeys);
    const largePods = await makeState(largeDir, largeKeys);
    const smalls: Measurement[] = [];
    const larges: Measurement[] = [];
    for (let round = 1; round <= rounds; round++) {
      smalls.push(measureCopyOf(smallDir, smallPods));
      larges.push(measureCopyOf(largeDir, largePods));
      const block = (m: Measurement): string => `${blockMs(m).toFixed(1)} ms`;
      console.log(`  round ${round}: block small ${block(smalls.at(-1)!)}, large ${block(larges.at(-1)!)}`);
    }
    const small = medianRound(smalls);
    const large = medianRound(larges);
    print("small (median round)", small);
    print("large (median round)", large);
    console.log(
      `ratio large/small: commit ${(large.commitMs / small.commitMs).toFixed(2)}x, ` +
        `trie apply ${(large.applyMs / small.applyMs).toFixed(2)}x, ` +
        `block ${(blockMs(large) / blockMs(small)).toFixed(2)}x wall ` +
        `(second half ${(large.laterBlockMs / small.laterBlockMs).toFixed(2)}x), ` +
        `${(large.cpuMs / small.cpuMs).toFixed(2)}x CPU (goal ≤ 1.5x), ` +
        `open ${(large.openMs / small.openMs).toFixed(2)}x, ` +
        `trie nodes written ${(large.nodesWritten / small.nodesWritten).toFixed(2)}x ` +
        `(${(large.nodeBytesWritten / small.nodeBytesWritten).toFixed(2)}x their bytes), ` +
        `anon RSS after blocks ${(large.afterBlocks.anon / small.afterBlocks.anon).toFixed(2)}x; ` +
        `load ${loadavg()[0]!.toFixed(2)}`,
    );
    printPruning(await pruneClosedContracts(largeDir, closedContracts(largePods)));
  } finally {
    rmSync(smallDir, { recursive: true, force: true });
    rmSync(largeDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--measure") {
  console.log(JSON.stringify(await measure(process.argv[3]!, Number(process.argv[4]))));
} else {
  await main();
}
