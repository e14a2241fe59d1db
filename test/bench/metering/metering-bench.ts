// Benchmark: metering and settlement of 10,000 running pods on 500 contributors, one interval at a time, through the
// in-process app as the solo producer drives it (CheckTx for every transaction, then FinalizeBlock + Commit).
// Prints the transactions per interval, the chain's CPU time per interval as a share of one core at a 60 s interval,
// and state growth per pod-day.
// Run: npx tsx test/bench/metering/metering-bench.ts [--pods 10000] [--contributors 500] [--intervals 3] [--billing used]
// [--profile file.cpuprofile] (the CPU profile of the last interval's block only)
// (--billing used: pay-for-use contracts, whose measured records the chain bills by usage).
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { CheckTxType, type ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { Wallet } from "ethers";
import { openUranusApp, type UranusApp } from "../../../chain-sidecar/app/uranus-app.js";
import { buildGenesisAppState } from "../../../chain-sidecar/genesis/app-state.js";
import { contractIdFor } from "../../../chain-sidecar/modules/market/market-records.js";
import { OpenContractMsg, RecordLeaseMsg } from "../../../chain-sidecar/modules/market/market-messages.js";
import { meteringRoot } from "../../../chain-sidecar/modules/metering/batch-root.js";
import {
  MeteringBatchMsg,
  type MeterRecord,
} from "../../../chain-sidecar/modules/metering/metering-messages.js";
import { RegisterNodeMsg } from "../../../chain-sidecar/modules/poc/poc-messages.js";
import type { MessageSpec } from "../../../chain-sidecar/tx/message-spec.js";
import { signTx } from "../../../chain-sidecar/tx/signing.js";
import { bareBlockRequest } from "../../support/bare-block-request.js";
import { measuredProfile } from "../measured-profile.js";
import { numericFlag } from "../numeric-flag.js";

const PODS = numericFlag("pods", 10_000);
const CONTRIBUTORS = numericFlag("contributors", 500);
const INTERVALS = numericFlag("intervals", 3);
const INTERVAL_SECONDS = 60;
const BILLING = process.argv.includes("--billing")
  ? process.argv[process.argv.indexOf("--billing") + 1]!
  : "reserved";
const REPLICAS_PER_CONTRACT = 10;
const CONTRACTS = Math.ceil(PODS / REPLICAS_PER_CONTRACT);
const PAYERS = Math.max(1, Math.ceil(CONTRACTS / 10));
const CHAIN_ID = "uranus-metering-bench";
const START_MS = 1_700_000_000_000;
const SETUP_BLOCK_TXS = 2_000;

function wallet(label: string): Wallet {
  return new Wallet("0x" + createHash("sha256").update(`metering-bench:${label}`).digest("hex"));
}

const owners = Array.from({ length: CONTRIBUTORS }, (_, i) => wallet(`owner-${i}`));
const payers = Array.from({ length: PAYERS }, (_, i) => wallet(`payer-${i}`));
const nonces = new Map<string, number>();

async function sign<T>(signer: Wallet, spec: MessageSpec<T>, message: T): Promise<Uint8Array> {
  const nonce = nonces.get(signer.address) ?? 0;
  nonces.set(signer.address, nonce + 1);
  return signTx(signer, CHAIN_ID, spec, message, nonce);
}

function podUid(i: number): string {
  const hex = createHash("sha256").update(`pod-${i}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The chain's total logical state: every key and value in bytes. */
function stateBytes(app: UranusApp): number {
  return app.committed.entries("").reduce((sum, [key, value]) => sum + key.length + value.length, 0);
}

/** Average stored size of a batch record, key included. */
function batchRecordBytes(app: UranusApp): number {
  const batches = app.committed.entries("metering/batch/");
  return Math.round(
    batches.reduce((sum, [key, value]) => sum + key.length + value.length, 0) / batches.length,
  );
}

let height = 0;
let timeMs = START_MS;

interface BlockRun {
  response: ResponseFinalizeBlock;
  cpuSeconds: number;
  /** CPU seconds of CheckTx, FinalizeBlock and Commit. */
  phases: [number, number, number];
  wallSeconds: number;
  checkFailures: number;
}

/** CheckTx for each transaction, then FinalizeBlock and Commit, timed together. */
async function block(app: UranusApp, txs: Uint8Array[], advanceSeconds = 1): Promise<BlockRun> {
  height += 1;
  timeMs += advanceSeconds * 1000;
  const cpu = process.cpuUsage();
  const wall = performance.now();
  let checkFailures = 0;
  for (const tx of txs) {
    const checked = await app.checkTx({ tx, type: CheckTxType.NEW });
    if (checked.code !== 0) checkFailures += 1;
  }
  const checked = process.cpuUsage(cpu);
  const response = await app.finalizeBlock(
    bareBlockRequest(txs, BigInt(height), BigInt(Math.floor(timeMs / 1000))),
  );
  const finalized = process.cpuUsage(cpu);
  await app.commit({});
  const used = process.cpuUsage(cpu);
  const seconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
  const failed = response.txResults.filter((r) => r.code !== 0);
  if (failed.length > 0)
    throw new Error(`block ${height}: ${failed.length} transactions failed, first: ${failed[0]!.log}`);
  return {
    response,
    cpuSeconds: seconds(used),
    phases: [seconds(checked), seconds(finalized) - seconds(checked), seconds(used) - seconds(finalized)],
    wallSeconds: (performance.now() - wall) / 1000,
    checkFailures,
  };
}

async function blocks(app: UranusApp, txs: Uint8Array[]): Promise<void> {
  for (let i = 0; i < txs.length; i += SETUP_BLOCK_TXS) await block(app, txs.slice(i, i + SETUP_BLOCK_TXS));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "uranus-metering-bench-"));
  const app = await openUranusApp({ dataDir: dir, signatureCacheSize: 50_000 });
  const profile = await measuredProfile();
  try {
    const appState = buildGenesisAppState({
      accounts: [...owners, ...payers].map((w) => ({ address: w.address, balance: 10n ** 15n })),
      // One kept batch per contributor fills the batch ring at once, so later intervals show the steady growth.
      params: {
        poc: { heartbeatWindowBlocks: 100_000 },
        metering: { maxRecordsPerBatch: 400, batchesKept: 1 },
      },
    });
    await app.initChain({
      time: { seconds: BigInt(START_MS / 1000), nanos: 0 },
      chainId: CHAIN_ID,
      validators: [],
      appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
      initialHeight: 1n,
    });
    process.stdout.write(
      `setup: ${CONTRIBUTORS} nodes, ${CONTRACTS} contracts of ${REPLICAS_PER_CONTRACT} replicas, ${PODS} leases\n`,
    );
    const GIB = 1024n ** 3n;
    await blocks(
      app,
      await Promise.all(
        owners.map((owner, i) =>
          sign(owner, RegisterNodeMsg, {
            nodeId: `node-${i}`,
            region: "eu-west",
            isolation: "runc",
            cpuMillicores: 64_000n,
            memoryBytes: 256n * GIB,
            storageBytes: 2_000n * GIB,
            bandwidthMbps: 10_000n,
            pricePerScuHour: 3_600n + BigInt(i),
            operator: "0x0000000000000000000000000000000000000000",
          }),
        ),
      ),
    );
    const opens: Uint8Array[] = [];
    for (let c = 0; c < CONTRACTS; c++) {
      opens.push(
        await sign(payers[c % PAYERS]!, OpenContractMsg, {
          scuPerReplica: 2n,
          replicas: BigInt(REPLICAS_PER_CONTRACT),
          maxPricePerScuHour: 10_000n,
          budget: 10n ** 11n,
          durationSeconds: 30n * 86_400n,
          recoverWithinSeconds: 300n,
          maxMigrations: 3n,
          regions: [],
          minPoc: 0n,
          spread: false,
          billing: BILLING,
          operator: "0x0000000000000000000000000000000000000000",
          clusterId: "",
          clientRef: `bench-${c}`,
        }),
      );
    }
    const contractIds = opens.map((_, c) => contractIdFor(payers[c % PAYERS]!.address, "", `bench-${c}`));
    await blocks(app, opens);
    const leaseStart = Math.floor(timeMs / 1000) + 1;
    const leases: Uint8Array[] = [];
    for (let p = 0; p < PODS; p++) {
      const contract = Math.floor(p / REPLICAS_PER_CONTRACT);
      leases.push(
        await sign(payers[contract % PAYERS]!, RecordLeaseMsg, {
          contractId: contractIds[contract]!,
          replica: BigInt(p % REPLICAS_PER_CONTRACT),
          nodeId: `node-${p % CONTRIBUTORS}`,
          podUid: podUid(p),
          startedAt: BigInt(leaseStart),
        }),
      );
    }
    await blocks(app, leases);

    const loadBefore = loadavg()[0]!;
    let billedTo = leaseStart;
    const results: { txs: number; cpu: number; wall: number; growth: number }[] = [];
    for (let interval = 0; interval < INTERVALS; interval++) {
      const from = billedTo;
      const to = from + INTERVAL_SECONDS;
      const byContributor: MeterRecord[][] = owners.map(() => []);
      for (let p = 0; p < PODS; p++) {
        byContributor[p % CONTRIBUTORS]!.push({
          podUid: podUid(p),
          contractId: contractIds[Math.floor(p / REPLICAS_PER_CONTRACT)]!,
          replica: BigInt(p % REPLICAS_PER_CONTRACT),
          nodeId: `node-${p % CONTRIBUTORS}`,
          scu: 2n,
          fromTime: BigInt(from),
          toTime: BigInt(to),
          cpuMillicores: 1_500n,
          memoryBytes: 3n * GIB,
        });
      }
      const batches = await Promise.all(
        owners.map((owner, i) => {
          const records = byContributor[i]!;
          return sign(owner, MeteringBatchMsg, {
            contributor: owner.address.toLowerCase(),
            root: meteringRoot(records),
            records,
          });
        }),
      );
      // Time passes to the interval's end (as empty blocks would), so CheckTx sees it ended like a live mempool does.
      await block(app, [], to - Math.floor(timeMs / 1000));
      const before = stateBytes(app);
      const run = await profile.around(() => block(app, batches, 1));
      if (run.checkFailures > 0) throw new Error(`${run.checkFailures} batches failed CheckTx`);
      const growth = stateBytes(app) - before;
      billedTo = to;
      results.push({ txs: batches.length, cpu: run.cpuSeconds, wall: run.wallSeconds, growth });
      process.stdout.write(
        `interval ${interval + 1}: ${batches.length} txs, chain CPU ${run.cpuSeconds.toFixed(2)} s ` +
          `(${((run.cpuSeconds / INTERVAL_SECONDS) * 100).toFixed(1)} % of one core at ${INTERVAL_SECONDS} s), ` +
          `wall ${run.wallSeconds.toFixed(2)} s, state +${growth} bytes; ` +
          `CPU in CheckTx ${run.phases[0].toFixed(2)} s, FinalizeBlock ${run.phases[1].toFixed(2)} s, Commit ${run.phases[2].toFixed(2)} s\n`,
      );
    }

    const steady = results.slice(1);
    const mean = (list: number[]) => list.reduce((a, b) => a + b, 0) / list.length;
    const intervalsPerDay = 86_400 / INTERVAL_SECONDS;
    const steadyGrowth = steady.length > 0 ? mean(steady.map((r) => r.growth)) : results[0]!.growth;
    process.stdout.write(
      [
        "",
        `pods ${PODS}, contributors ${CONTRIBUTORS}, interval ${INTERVAL_SECONDS} s, billing ${BILLING}`,
        `transactions per interval: ${results[0]!.txs} (one per contributor; target ${CONTRIBUTORS})`,
        `chain CPU per interval: first ${results[0]!.cpu.toFixed(2)} s, steady mean ${
          steady.length > 0 ? mean(steady.map((r) => r.cpu)).toFixed(2) : "n/a"
        } s = ${(((steady.length > 0 ? mean(steady.map((r) => r.cpu)) : results[0]!.cpu) / INTERVAL_SECONDS) * 100).toFixed(1)} % of one core (target ≤ 10 %)`,
        `state growth: first interval ${results[0]!.growth} bytes (creates each pod's settlement record), ` +
          `then ${Math.round(steadyGrowth)} bytes per interval = ${Math.round((steadyGrowth * intervalsPerDay) / PODS)} bytes per pod-day`,
        `batch records: ${batchRecordBytes(app)} bytes each on average, bounded at batchesKept (default 60) × contributors ` +
          `= ${Math.round((batchRecordBytes(app) * 60 * CONTRIBUTORS) / 1e6)} MB at the default`,
        `state size now: ${stateBytes(app)} bytes over ${app.committed.keyCount} keys`,
        `load average (1 min) ${loadBefore.toFixed(1)} before the intervals, ${loadavg()[0]!.toFixed(1)} after, on ${cpus().length} cores`,
        "",
      ].join("\n"),
    );
  } finally {
    await profile.finish();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
