// Throughput and commit latency of a 4-validator CometBFT testnet with Uranus sidecars, on this machine.
// Run: npx tsx test/bench/chain/testnet.ts [--validators 4] [--seconds 60] [--senders 32] [--block-time 1000]
import { createHash } from "node:crypto";
import { loadavg, cpus } from "node:os";
import { parseArgs } from "node:util";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { Testnet } from "../../../chain-sidecar/testnet/testnet.js";
import { uranusSidecarLauncher } from "../../../chain-sidecar/testnet/uranus-sidecar-launcher.js";
import { buildUranusGenesis } from "../../../chain-sidecar/node/uranus-genesis.js";
import { TransferLoad } from "../../support/transfer-load.js";

const { values } = parseArgs({
  options: {
    validators: { type: "string", default: "4" },
    seconds: { type: "string", default: "60" },
    warmup: { type: "string", default: "10" },
    senders: { type: "string", default: "32" },
    "block-time": { type: "string", default: "1000" },
  },
});
const validators = Number(values.validators);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const senderCount = Number(values.senders);
const blockTime = Number(values["block-time"]);
const chainId = "uranus-bench";

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const senders = TransferLoad.fundedSenders(senderCount);
const testnet = await Testnet.create({
  validators,
  launcher: uranusSidecarLauncher,
  chainId,
  timeoutCommitMs: blockTime,
  roundTimeoutMs: 3000,
  mempoolSize: 50_000,
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
  const load = new TransferLoad(chainId, senders, () => testnet.nodes.map((n) => n.rpcUrl));
  load.start();
  await new Promise((resolve) => setTimeout(resolve, warmup * 1000));
  const windowStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const windowEnd = performance.now();
  const stats = await load.stop();
  // Let txs sent in the window reach a block before latencies are counted.
  await new Promise((resolve) => setTimeout(resolve, 3 * blockTime + 2000));
  subscription.unsubscribe();
  ws.disconnect();

  const inWindow = blocks.filter((b) => b.seenAt >= windowStart && b.seenAt < windowEnd);
  const committedTxs = inWindow.reduce((sum, b) => sum + b.txs, 0);
  const latencies: number[] = [];
  let uncommitted = 0;
  for (const [hash, sentAt] of stats.submittedAt) {
    if (sentAt < windowStart || sentAt >= windowEnd) continue;
    const at = committedAt.get(hash);
    if (at === undefined) uncommitted++;
    else latencies.push(at - sentAt);
  }
  latencies.sort((a, b) => a - b);
  const result = {
    validators,
    blockTimeMs: blockTime,
    windowSeconds: seconds,
    senders: senderCount,
    committedTxPerSecond: Number((committedTxs / ((windowEnd - windowStart) / 1000)).toFixed(1)),
    acceptedByCheckTx: stats.accepted,
    rejected: stats.rejected,
    rpcFailures: stats.failed,
    sentInWindowNotCommitted: uncommitted,
    commitLatencyMs: {
      p50: Math.round(percentile(latencies, 50)),
      p90: Math.round(percentile(latencies, 90)),
      p99: Math.round(percentile(latencies, 99)),
      max: Math.round(latencies.at(-1) ?? NaN),
    },
    blocksInWindow: inWindow.length,
    txsPerBlock: inWindow.length === 0 ? 0 : Math.round(committedTxs / inWindow.length),
    machine: { cpus: cpus().length, loadAverage1m: Number(loadavg()[0]!.toFixed(1)) },
  };
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(
    `sustained ${result.committedTxPerSecond} tx/s committed (target ≥ 400), p99 commit latency ${result.commitLatencyMs.p99} ms\n`,
  );
} finally {
  await testnet.destroy();
}
