// Benchmark: bare native secp256k1 verify rate of one core vs signed transfers through CheckTx + FinalizeBlock + Commit.
// Run: npx tsx test/bench/chain/solo.ts [--txs N] [--warmup N] [--block N] [--profile file.cpuprofile] (profiles the measured blocks)
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { Wallet, getBytes, keccak256, toUtf8Bytes } from "ethers";
import { openUranusApp } from "../../../chain-sidecar/app/uranus-app.js";
import { buildGenesisAppState } from "../../../chain-sidecar/genesis/app-state.js";
import { nativeSecp256k1, recoveryBackend } from "../../../chain-sidecar/tx/public-key-recovery.js";
import { bareBlockRequest } from "../../support/bare-block-request.js";
import { measuredProfile } from "../measured-profile.js";
import { numericFlag } from "../numeric-flag.js";
import { assertSameAsSignTx, presignTransfers } from "./presigned-transfers.js";

const txCount = numericFlag("txs", 3000);
// Blocks run before the clock starts, so the figures are a running node's, not its JIT compiler's first seconds.
const warmupTxs = numericFlag("warmup", 3000);
const blockSize = numericFlag("block", 500);
const senders = numericFlag("senders", 300);
const chainId = "uranus-bench-1";

function wallet(i: number): Wallet {
  return new Wallet("0x" + createHash("sha256").update(`bench:${i}`).digest("hex"));
}

if (nativeSecp256k1 === undefined) throw new Error("the native secp256k1 binding does not load here");
const secp = nativeSecp256k1;

interface Rates {
  verify: { wall: number; cpu: number };
  recover: { wall: number; cpu: number };
}

/** Bare libsecp256k1 verifications and recoveries per second on this core: the physical limit of the pipeline. */
function secp256k1Rates(samples: number): Rates {
  const key = getBytes(wallet(0).privateKey);
  const publicKey = secp.publicKeyCreate(key, false);
  const digests = Array.from({ length: samples }, (_, i) => getBytes(keccak256(toUtf8Bytes(`digest ${i}`))));
  const signatures = digests.map((d) => secp.ecdsaSign(d, key));
  const timed = (run: (i: number) => void): { wall: number; cpu: number } => {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for (let i = 0; i < samples; i++) run(i);
    const cpu = process.cpuUsage(cpuStarted);
    return {
      wall: samples / ((performance.now() - started) / 1000),
      cpu: samples / ((cpu.user + cpu.system) / 1e6),
    };
  };
  const verify = timed((i) => {
    if (!secp.ecdsaVerify(signatures[i]!.signature, digests[i]!, publicKey)) throw new Error("verify failed");
  });
  const recover = timed((i) => {
    secp.ecdsaRecover(signatures[i]!.signature, signatures[i]!.recid, digests[i]!, false);
  });
  return { verify, recover };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

interface PipelineResult {
  rate: number;
  cpuRate: number;
  blocks: number;
  warmupBlocks: number;
  rejected: number;
  phases: { checkTx: number; finalizeBlock: number; commit: number };
}

async function pipelineRate(): Promise<PipelineResult> {
  const dir = mkdtempSync(join(tmpdir(), "uranus-bench-"));
  const app = await openUranusApp({ dataDir: dir });
  try {
    const wallets = Array.from({ length: senders }, (_, i) => wallet(i + 1));
    const appState = buildGenesisAppState({
      accounts: wallets.map((w) => ({ address: w.address, balance: 10n ** 15n })),
      validators: [
        {
          operator: wallet(9999).address,
          consensusPubKey: createHash("sha256").update("bench-validator").digest("base64"),
          deposit: 10n ** 9n,
        },
      ],
    });
    await app.initChain({
      time: { seconds: 1_700_000_000n, nanos: 0 },
      chainId,
      validators: [],
      appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
      initialHeight: 1n,
    });
    await assertSameAsSignTx(wallets[0]!, chainId, wallets[1]!.address);
    if (txCount % senders !== 0 || warmupTxs % senders !== 0)
      throw new Error(`--txs and --warmup must be multiples of --senders (${senders})`);
    const { txs: signed, signSeconds } = presignTransfers(
      wallets,
      chainId,
      (warmupTxs + txCount) / senders,
      (s, n) => wallets[((n * senders + s) * 7 + 3) % senders]!.address,
    );
    process.stdout.write(
      `signed ${warmupTxs} + ${txCount} transfers from ${senders} accounts in ${signSeconds.toFixed(1)} s\n`,
    );
    let height = 0;
    let rejected = 0;
    const phases = { checkTx: 0, finalizeBlock: 0, commit: 0 };
    const runBlocks = async (txs: Uint8Array[]): Promise<void> => {
      for (let offset = 0; offset < txs.length; offset += blockSize) {
        const block = txs.slice(offset, offset + blockSize);
        let t = process.cpuUsage();
        for (const tx of block) {
          const checked = await app.checkTx({ tx, type: CheckTxType.NEW });
          if (checked.code !== 0) rejected++;
        }
        phases.checkTx += cpuMs(t);
        t = process.cpuUsage();
        height++;
        const result = await app.finalizeBlock(
          bareBlockRequest(block, BigInt(height), 1_700_000_000n + BigInt(height)),
        );
        rejected += result.txResults.filter((r) => r.code !== 0).length;
        phases.finalizeBlock += cpuMs(t);
        t = process.cpuUsage();
        await app.commit({});
        phases.commit += cpuMs(t);
      }
    };
    await runBlocks(signed.slice(0, warmupTxs));
    const warmupBlocks = height;
    Object.assign(phases, { checkTx: 0, finalizeBlock: 0, commit: 0 });
    const txs = signed.slice(warmupTxs);
    const profile = await measuredProfile();
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    await profile.around(() => runBlocks(txs));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    await profile.finish();
    return {
      rate: txs.length / seconds,
      cpuRate: txs.length / cpuSeconds,
      blocks: height - warmupBlocks,
      warmupBlocks,
      rejected,
      phases,
    };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// The bare rates are measured before and after the pipeline and averaged, so a busy machine skews both sides alike.
// CPU-time rates are printed too: on a machine shared with other work they are the steadier comparison.
const loadBefore = loadavg()[0]!;
const bareBefore = secp256k1Rates(5000);
const pipeline = await pipelineRate();
const bareAfter = secp256k1Rates(5000);
const loadAfter = loadavg()[0]!;
const mean = (pick: (r: Rates) => number): number => (pick(bareBefore) + pick(bareAfter)) / 2;
const verifies = mean((r) => r.verify.wall);
const cpuVerifies = mean((r) => r.verify.cpu);
const cpuRecoveries = mean((r) => r.recover.cpu);
const perTx = (ms: number) => ((ms * 1000) / txCount).toFixed(0);
console.log(
  `signature recovery in the pipeline: ${recoveryBackend}; pre-signed load (${txCount} txs signed before the clock starts, ` +
    `after ${pipeline.warmupBlocks} unmeasured warm-up blocks)`,
);
console.log(
  `bare libsecp256k1 verify (one core): ${verifies.toFixed(0)} /s wall ` +
    `(before ${bareBefore.verify.wall.toFixed(0)}, after ${bareAfter.verify.wall.toFixed(0)}), ` +
    `${cpuVerifies.toFixed(0)} /s of CPU time; recover ${cpuRecoveries.toFixed(0)} /s of CPU time`,
);
console.log(
  `signed transfers through CheckTx + FinalizeBlock + Commit: ${pipeline.rate.toFixed(0)} tx/s wall, ` +
    `${pipeline.cpuRate.toFixed(0)} tx/s of CPU time (${txCount} txs in ${pipeline.blocks} blocks of ${blockSize}, ` +
    `${pipeline.rejected} rejected)`,
);
console.log(
  `CPU time per tx: CheckTx ${perTx(pipeline.phases.checkTx)} µs, FinalizeBlock ${perTx(pipeline.phases.finalizeBlock)} µs, ` +
    `Commit ${perTx(pipeline.phases.commit)} µs`,
);
const ratio = pipeline.rate / verifies;
const cpuRatio = pipeline.cpuRate / cpuVerifies;
console.log(
  `ratio to bare verify (wall): ${ratio.toFixed(2)}, (CPU time): ${cpuRatio.toFixed(2)} — target ≥ 0.50 in CPU time ` +
    `(${cpuRatio >= 0.5 ? "met" : "not met"}; aim 0.70); ` +
    `ratio to bare recover (CPU time): ${(pipeline.cpuRate / cpuRecoveries).toFixed(2)}; ` +
    `load average (1 min) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after on ${cpus().length} cores`,
);
if (pipeline.rejected > 0) process.exitCode = 1;
