// Throughput and commit latency of a 4-validator CometBFT testnet with Uranus sidecars, on this machine.
// The load is signed before the clock starts and offered at a fixed rate, so the client costs little CPU while measured.
// Run: npx tsx test/bench/chain/testnet.ts [--validators 4] [--seconds 60] [--rate 500] [--senders 400] [--block-time 1000]
//      [--broadcast async|sync] [--profile-dir DIR]
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg, cpus } from "node:os";
import { parseArgs } from "node:util";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { Wallet } from "ethers";
import { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import type { SidecarLauncher } from "../../../chain-sidecar/testnet/testnet-node.js";
import { uranusSidecarLauncher } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import { buildUranusGenesis } from "../../../chain-sidecar/genesis/validator-homes.js";
import { waitFor } from "../../../process/wait-for.js";
import { MAX_BATCH, PacedBroadcaster } from "./paced-broadcaster.js";
import { assertSameAsSignTx, presignTransfers } from "./presigned-transfers.js";

const { values } = parseArgs({
  options: {
    validators: { type: "string", default: "4" },
    seconds: { type: "string", default: "60" },
    warmup: { type: "string", default: "10" },
    senders: { type: "string", default: "400" },
    rate: { type: "string", default: "500" },
    "block-time": { type: "string", default: "1000" },
    broadcast: { type: "string", default: "async" },
    "profile-dir": { type: "string" },
  },
});
const validators = Number(values.validators);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const senderCount = Number(values.senders);
const rate = Number(values.rate);
const blockTime = Number(values["block-time"]);
const broadcast = values.broadcast === "sync" ? "sync" : "async";
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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const senders = Array.from(
  { length: senderCount },
  (_, i) => new Wallet("0x" + createHash("sha256").update(`testnet-bench:${i}`).digest("hex")),
);
await assertSameAsSignTx(senders[0]!, chainId, RECIPIENT);
const perSender = Math.ceil((rate * (warmup + seconds)) / senderCount) + 1;
const presigned = presignTransfers(senders, chainId, perSender, () => RECIPIENT);
// Sender s always talks to node s mod N, so its nonces reach one mempool in order.
const perNode: Uint8Array[][] = Array.from({ length: validators }, () => []);
presigned.txs.forEach((tx, i) => perNode[(i % senderCount) % validators]!.push(tx));
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
  mempoolSize: 50_000,
  rpcMaxBatchSize: MAX_BATCH,
  appGenesis: (_chainId, v) =>
    buildUranusGenesis(v, { accounts: senders.map((s) => ({ address: s.address, balance: 10n ** 18n })) }),
});
try {
  process.stdout.write(`starting ${validators} validators (${blockTime} ms block time) in ${testnet.dir}\n`);
  await testnet.start(2, 180_000);
  const ws = await Comet38Client.connect(testnet.nodes[0]!.rpcUrl.replace(/^http:/, "ws:"));
  const committedAt = new Map<string, number>();
  const blocks: { height: number; seenAt: number; txs: number }[] = [];
  const subscription = ws.subscribeNewBlock().subscribe({
    next: (block) => {
      const seenAt = performance.now();
      blocks.push({ height: block.header.height, seenAt, txs: block.txs.length });
      for (const tx of block.txs) {
        committedAt.set(createHash("sha256").update(tx).digest("hex").toUpperCase(), seenAt);
      }
    },
  });
  const broadcaster = new PacedBroadcaster(
    testnet.nodes.map((n) => n.rpcUrl),
    perNode,
    broadcast,
  );
  const offerStart = performance.now();
  const windowStart = offerStart + warmup * 1000;
  const windowEnd = windowStart + seconds * 1000;
  let loadAtWindowEnd = 0;
  let clientCpuInWindow = 0;
  const nodeCpu = (): { sidecars: number; cometbft: number } => ({
    sidecars: testnet.nodes.reduce((sum, n) => sum + processCpuSeconds(n.sidecar?.pid), 0),
    cometbft: testnet.nodes.reduce((sum, n) => sum + processCpuSeconds(n.cometbft?.pid), 0),
  });
  let nodeCpuInWindow = { sidecars: 0, cometbft: 0 };
  const clientCpu = setTimeout(() => {
    const cpuAtStart = process.cpuUsage();
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
  for (const [hash, dueAt] of stats.dueAt) {
    if (dueAt < windowStart || dueAt >= windowEnd) continue;
    const at = committedAt.get(hash);
    if (at === undefined) uncommitted++;
    else latencies.push(at - dueAt);
  }
  latencies.sort((a, b) => a - b);
  const blockGaps = inWindow.slice(1).map((b, i) => b.seenAt - inWindow[i]!.seenAt);
  const result = {
    validators,
    blockTimeMs: blockTime,
    windowSeconds: seconds,
    senders: senderCount,
    offeredTxPerSecond: rate,
    broadcast: `broadcast_tx_${broadcast}`,
    committedTxPerSecond: Number((committedTxs / ((windowEnd - windowStart) / 1000)).toFixed(1)),
    acceptedByNodes: stats.accepted,
    rejected: Object.fromEntries([...stats.rejected].sort()),
    rpcFailures: stats.rpcFailures,
    ...(stats.lastFailure === undefined ? {} : { lastRpcFailure: stats.lastFailure }),
    rpcBatches: stats.batches,
    dueInWindowNotCommitted: uncommitted,
    commitLatencyMs: {
      p50: Math.round(percentile(latencies, 50)),
      p90: Math.round(percentile(latencies, 90)),
      p99: Math.round(percentile(latencies, 99)),
      max: Math.round(latencies.at(-1) ?? NaN),
    },
    blocksInWindow: inWindow.length,
    meanBlockIntervalMs: Math.round(blockGaps.reduce((a, b) => a + b, 0) / Math.max(1, blockGaps.length)),
    txsPerBlock: inWindow.length === 0 ? 0 : Math.round(committedTxs / inWindow.length),
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
    machine: { cpus: cpus().length, loadAverage1mAtWindowEnd: Number(loadAtWindowEnd.toFixed(1)) },
  };
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(
    `sustained ${result.committedTxPerSecond} tx/s committed with ${blockTime} ms blocks (offered ${rate}, target ≥ 400), ` +
      `p99 commit latency ${result.commitLatencyMs.p99} ms, load average ${result.machine.loadAverage1mAtWindowEnd} ` +
      `on ${result.machine.cpus} cores\n`,
  );
} finally {
  await testnet.destroy();
}
