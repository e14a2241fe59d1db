// Throughput, block interval and commit latency of a 4-validator CometBFT testnet with Uranus sidecars, on this machine,
// and how it sheds load past its saturation rate (bounded blocks and mempool; refusals as OVERLOADED).
// The load is signed before the clock starts and offered at a fixed rate, so the client costs little CPU while measured.
// Run: npx tsx test/bench/chain/testnet.ts [--validators 4] [--seconds 60] [--rate 500] [--senders 10×rate]
//      [--block-time 1000] [--max-block-txs 300] [--mempool-size max-block-txs/0.9] [--profile-dir DIR]
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg, cpus } from "node:os";
import { parseArgs } from "node:util";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { Wallet } from "ethers";
import { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import type { SidecarLauncher } from "../../../chain-sidecar/testnet/testnet-node.js";
import { uranusSidecarLauncher } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import {
  defaultConsensusParams,
  type ConsensusParamsJson,
} from "../../../chain-sidecar/genesis/genesis-doc.js";
import { buildUranusGenesis } from "../../../chain-sidecar/genesis/validator-homes.js";
import { waitFor } from "../../../process/wait-for.js";
import { MAX_BATCH, PacedBroadcaster } from "./paced-broadcaster.js";
import { assertSameAsSignTx, presignTransfers } from "./presigned-transfers.js";

const { values } = parseArgs({
  options: {
    validators: { type: "string", default: "4" },
    seconds: { type: "string", default: "60" },
    warmup: { type: "string", default: "10" },
    senders: { type: "string" },
    rate: { type: "string", default: "500" },
    "block-time": { type: "string", default: "1000" },
    // Four validators and their sidecars share this machine's cores: 300 txs keep a block within ~0.5 s of work.
    "max-block-txs": { type: "string", default: "300" },
    "mempool-size": { type: "string" },
    "profile-dir": { type: "string" },
  },
});
const validators = Number(values.validators);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const rate = Number(values.rate);
// Enough accounts that one with nothing outstanding is always free while every mempool is full: the load stays open.
const senderCount = Number(values.senders ?? Math.max(1000, 10 * rate));
const blockTime = Number(values["block-time"]);
const maxBlockTxs = Number(values["max-block-txs"]);
// Per node about one block's worth: the app admits nine tenths of it (pendingLimitForMempool), so a proposer can still
// fill a block from its own mempool, while up to N times this waits across N nodes before gossip catches up.
const mempoolSize = Number(values["mempool-size"] ?? Math.ceil(maxBlockTxs / 0.9));
const chainId = "uranus-bench";
const RECIPIENT = "0x000000000000000000000000000000000000dEaD";

/** CPU seconds a process has used so far (utime + stime from /proc; Linux only). */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The default consensus params with block.max_gas set: each tx asks for 1 gas, so it bounds txs per block. */
function blockParams(maxTxs: number): ConsensusParamsJson {
  const params = defaultConsensusParams();
  params.block.max_gas = String(maxTxs);
  return params;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const senders = Array.from(
  { length: senderCount },
  (_, i) => new Wallet("0x" + createHash("sha256").update(`testnet-bench:${i}`).digest("hex")),
);
await assertSameAsSignTx(senders[0]!, chainId, RECIPIENT);
// An account uses at most one nonce per offer it gets, and offers go round-robin.
const perSender = Math.ceil((rate * (warmup + seconds)) / senderCount) + 1;
const presigned = presignTransfers(senders, chainId, perSender, () => RECIPIENT);
// presigned.txs is nonce-major (all senders' nonce 0, then nonce 1 …); sender s always talks to node s mod N.
const accounts = senders.map((_, s) => ({
  node: s % validators,
  txs: Array.from({ length: perSender }, (_, n) => presigned.txs[n * senderCount + s]!),
}));
process.stdout.write(
  `pre-signed ${presigned.txs.length} transfers from ${senderCount} senders in ${presigned.signSeconds.toFixed(1)} s ` +
    `(before any node starts; nothing is signed while measuring)\n`,
);

const profileDir = values["profile-dir"];
// With --profile-dir each sidecar writes a V8 CPU profile there when it stops.
const launcher: SidecarLauncher =
  profileDir === undefined
    ? uranusSidecarLauncher
    : (home) => {
        const launch = uranusSidecarLauncher(home);
        return { ...launch, args: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, ...launch.args] };
      };
const testnet = await Testnet.create({
  validators,
  launcher,
  chainId,
  timeoutCommitMs: blockTime,
  roundTimeoutMs: 3000,
  mempoolSize,
  rpcMaxBatchSize: MAX_BATCH,
  consensusParams: blockParams(maxBlockTxs),
  appGenesis: (_chainId, v) =>
    buildUranusGenesis(v, { accounts: senders.map((s) => ({ address: s.address, balance: 10n ** 18n })) }),
});
try {
  process.stdout.write(
    `starting ${validators} validators (${blockTime} ms block time, ≤ ${maxBlockTxs} txs a block, mempool ` +
      `${mempoolSize} txs) in ${testnet.dir}\n`,
  );
  await testnet.start(2, 180_000);
  const ws = await Comet38Client.connect(testnet.nodes[0]!.rpcUrl.replace(/^http:/, "ws:"));
  const committedAt = new Map<string, number>();
  const blocks: { height: number; seenAt: number; txs: number; timeMs: number }[] = [];
  const broadcaster = new PacedBroadcaster(
    testnet.nodes.map((n) => n.rpcUrl),
    accounts,
  );
  const subscription = ws.subscribeNewBlock().subscribe({
    next: (block) => {
      const seenAt = performance.now();
      blocks.push({
        height: block.header.height,
        seenAt,
        txs: block.txs.length,
        timeMs: block.header.time.getTime(),
      });
      for (const tx of block.txs) {
        const hash = createHash("sha256").update(tx).digest("hex").toUpperCase();
        committedAt.set(hash, seenAt);
        broadcaster.committed(hash);
      }
    },
  });
  const offerStart = performance.now();
  const windowStart = offerStart + warmup * 1000;
  const windowEnd = windowStart + seconds * 1000;
  let loadAtWindowEnd = 0;
  let loadAtWindowStart = 0;
  let clientCpuInWindow = 0;
  const nodeCpu = (): { sidecars: number; cometbft: number } => ({
    sidecars: testnet.nodes.reduce((sum, n) => sum + processCpuSeconds(n.sidecar?.pid), 0),
    cometbft: testnet.nodes.reduce((sum, n) => sum + processCpuSeconds(n.cometbft?.pid), 0),
  });
  let nodeCpuInWindow = { sidecars: 0, cometbft: 0 };
  const clientCpu = setTimeout(() => {
    const cpuAtStart = process.cpuUsage();
    loadAtWindowStart = loadavg()[0]!;
    const nodesAtStart = nodeCpu();
    setTimeout(() => {
      const used = process.cpuUsage(cpuAtStart);
      clientCpuInWindow = (used.user + used.system) / 1e6;
      const nodesAtEnd = nodeCpu();
      nodeCpuInWindow = {
        sidecars: nodesAtEnd.sidecars - nodesAtStart.sidecars,
        cometbft: nodesAtEnd.cometbft - nodesAtStart.cometbft,
      };
      loadAtWindowEnd = loadavg()[0]!;
    }, seconds * 1000);
  }, warmup * 1000);
  await broadcaster.offer(rate, warmup + seconds);
  const stats = await broadcaster.stop();
  clearTimeout(clientCpu);
  if (loadAtWindowEnd === 0) loadAtWindowEnd = loadavg()[0]!;
  // Every accepted tx should reach a block; wait for that (bounded) before counting latencies.
  await waitFor(() => [...stats.dueAt.keys()].every((h) => committedAt.has(h)) || undefined, {
    timeoutMs: 60_000,
    intervalMs: 200,
    description: "every accepted transaction committed",
  }).catch(() => undefined);
  subscription.unsubscribe();
  ws.disconnect();

  const inWindow = blocks.filter((b) => b.seenAt >= windowStart && b.seenAt < windowEnd);
  const committedTxs = inWindow.reduce((sum, b) => sum + b.txs, 0);
  const latencies: number[] = [];
  let uncommitted = 0;
  // The client's own queue (offers waiting for a node to answer the batch before) is reported apart.
  const clientQueueing: number[] = [];
  for (const [hash, dueAt] of stats.dueAt) {
    if (dueAt < windowStart || dueAt >= windowEnd) continue;
    const sentAt = stats.sentAt.get(hash)!;
    clientQueueing.push(sentAt - dueAt);
    const at = committedAt.get(hash);
    if (at === undefined) uncommitted++;
    else latencies.push(at - sentAt);
  }
  latencies.sort((a, b) => a - b);
  clientQueueing.sort((a, b) => a - b);
  // Intervals between the blocks' header (BFT) times: this client's own receipt of them may bunch on a busy machine.
  const blockGaps = inWindow
    .slice(1)
    .map((b, i) => b.timeMs - inWindow[i]!.timeMs)
    .sort((a, b) => a - b);
  const meanBlockIntervalMs = blockGaps.reduce((a, b) => a + b, 0) / Math.max(1, blockGaps.length);
  const committedTxPerSecond = committedTxs / ((windowEnd - windowStart) / 1000);
  // What full blocks at the block rate the chain kept would commit: the most it carries, past which it sheds.
  const saturationTxPerSecond = (maxBlockTxs * 1000) / meanBlockIntervalMs;
  const refused = [...stats.rejected.values()].reduce((a, b) => a + b, 0);
  const result = {
    validators,
    blockTimeMs: blockTime,
    maxBlockTxs,
    mempoolSize,
    windowSeconds: seconds,
    senders: senderCount,
    offeredTxPerSecond: rate,
    committedTxPerSecond: Number(committedTxPerSecond.toFixed(1)),
    saturationTxPerSecond: Number(saturationTxPerSecond.toFixed(1)),
    committedOfSaturation: Number((committedTxPerSecond / saturationTxPerSecond).toFixed(3)),
    blockIntervalMs: {
      mean: Math.round(meanBlockIntervalMs),
      p90: Math.round(percentile(blockGaps, 90)),
      max: Math.round(blockGaps.at(-1) ?? NaN),
    },
    blocksInWindow: inWindow.length,
    fullBlocks: inWindow.filter((b) => b.txs >= maxBlockTxs).length,
    txsPerBlock: inWindow.length === 0 ? 0 : Math.round(committedTxs / inWindow.length),
    // Whole run (warm-up and window): offers, admissions and refusals by result code.
    offered: stats.offered,
    admitted: stats.accepted,
    refused,
    refusedByCode: Object.fromEntries([...stats.rejected].sort()),
    slotsWithoutIdleAccount: stats.noIdleAccount,
    rpcFailures: stats.rpcFailures,
    ...(stats.lastFailure === undefined ? {} : { lastRpcFailure: stats.lastFailure }),
    rpcBatches: stats.batches,
    admittedDueInWindowNotCommitted: uncommitted,
    // From the broadcast that admitted a tx to this client's receipt of the block that carried it.
    commitLatencyOfAdmittedMs: {
      p50: Math.round(percentile(latencies, 50)),
      p90: Math.round(percentile(latencies, 90)),
      p99: Math.round(percentile(latencies, 99)),
      max: Math.round(latencies.at(-1) ?? NaN),
    },
    // From when an offer was due to when its batch was sent (one batch in flight per node).
    clientQueueingMs: {
      p50: Math.round(percentile(clientQueueing, 50)),
      p99: Math.round(percentile(clientQueueing, 99)),
    },
    loadClient: { presigned: true, cpuSecondsInWindow: Number(clientCpuInWindow.toFixed(1)) },
    // CPU the nodes used per committed tx: with the load average, it tells what an idle machine could carry.
    nodesCpuInWindow: {
      sidecarSeconds: Number(nodeCpuInWindow.sidecars.toFixed(1)),
      cometbftSeconds: Number(nodeCpuInWindow.cometbft.toFixed(1)),
      msPerCommittedTx:
        committedTxs === 0
          ? null
          : Number(
              (((nodeCpuInWindow.sidecars + nodeCpuInWindow.cometbft) * 1000) / committedTxs).toFixed(2),
            ),
    },
    machine: {
      cpus: cpus().length,
      loadAverage1mAtWindowStart: Number(loadAtWindowStart.toFixed(1)),
      loadAverage1mAtWindowEnd: Number(loadAtWindowEnd.toFixed(1)),
    },
  };
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  const verdict = (ok: boolean): string => (ok ? "met" : "MISSED");
  const percent = (x: number): string => `${(x * 100).toFixed(1)} %`;
  process.stdout.write(
    [
      `offered ${rate} tx/s: committed ${result.committedTxPerSecond} tx/s, ` +
        `${percent(result.committedOfSaturation)} of the saturation rate ${result.saturationTxPerSecond} tx/s ` +
        `(${maxBlockTxs} txs a block at the block interval kept; target ≥ 90 % under overload: ` +
        `${verdict(result.committedOfSaturation >= 0.9)})`,
      `block interval mean ${result.blockIntervalMs.mean} ms, p90 ${result.blockIntervalMs.p90} ms, ` +
        `max ${result.blockIntervalMs.max} ms (target mean ≤ 1500 ms: ${verdict(result.blockIntervalMs.mean <= 1500)})`,
      `p99 commit latency of admitted txs ${result.commitLatencyOfAdmittedMs.p99} ms ` +
        `(target ≤ 5000 ms: ${verdict(result.commitLatencyOfAdmittedMs.p99 <= 5000)})`,
      `refused ${refused} of ${stats.offered} offers (${percent(refused / Math.max(1, stats.offered))}): ` +
        JSON.stringify(result.refusedByCode),
      `load average ${result.machine.loadAverage1mAtWindowStart} → ${result.machine.loadAverage1mAtWindowEnd} ` +
        `on ${result.machine.cpus} cores`,
    ].join("\n") + "\n",
  );
} finally {
  await testnet.destroy();
}
// The RPC client's sockets may keep the event loop alive after the nodes are gone.
process.exit(0);
