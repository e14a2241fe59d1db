// Benchmark: bare native secp256k1 verify rate of one core (timed between the blocks) vs signed transfers through CheckTx + FinalizeBlock + Commit.
// Run: npx tsx test/bench/chain/solo.ts [--txs N] [--warmup N] [--block N] [--profile file.cpuprofile] (profiles the measured blocks)
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { Wallet, getBytes, keccak256, toUtf8Bytes } from "ethers";
import { openUranusApp } from "../../../chain-sidecar/app/uranus-app.js";
import { buildGenesisAppState } from "../../../chain-sidecar/genesis/app-state.js";
import { SIDECAR_NODE_FLAGS } from "../../../chain-sidecar/node/sidecar-node-flags.js";
import { nativeSecp256k1, recoveryBackend } from "../../../chain-sidecar/tx/public-key-recovery.js";
import { bareBlockRequest } from "../../support/bare-block-request.js";
import { measuredProfile } from "../measured-profile.js";
import { numericFlag } from "../numeric-flag.js";
import { assertSameAsSignTx, presignTransfers } from "./presigned-transfers.js";

// The pipeline is measured as the sidecar runs it: under the sidecar's Node flags, in a child when not given them.
if (!SIDECAR_NODE_FLAGS.every((flag) => process.execArgv.includes(flag))) {
  const child = spawnSync(
    process.execPath,
    [...SIDECAR_NODE_FLAGS, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  process.exit(child.status ?? 1);
}

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

interface Rate {
  wall: number;
  cpu: number;
}

/** How many operations were timed, and their wall and CPU milliseconds. */
interface Timing {
  n: number;
  wall: number;
  cpu: number;
}

const noTimings = (): { verify: Timing; recover: Timing } => ({
  verify: { n: 0, wall: 0, cpu: 0 },
  recover: { n: 0, wall: 0, cpu: 0 },
});

/**
 * Bare libsecp256k1 verifications and recoveries on this core, run in slices between the pipeline's blocks: the
 * machine is shared, and its speed drifts within a run, so both sides are timed through the same stretches of it.
 */
class BareSecp256k1 {
  private readonly publicKey: Uint8Array;
  private readonly digests: Uint8Array[];
  private readonly signatures: { signature: Uint8Array; recid: number }[];
  private next = 0;
  private totals = noTimings();

  constructor(samples: number) {
    const key = getBytes(wallet(0).privateKey);
    this.publicKey = secp.publicKeyCreate(key, false);
    this.digests = Array.from({ length: samples }, (_, i) => getBytes(keccak256(toUtf8Bytes(`digest ${i}`))));
    this.signatures = this.digests.map((d) => secp.ecdsaSign(d, key));
  }

  /** `count` verifications, then `count` recoveries, each timed on its own. */
  run(count: number): void {
    const first = this.next;
    this.next = (this.next + count) % this.digests.length;
    const at = (i: number): number => (first + i) % this.digests.length;
    this.timed(this.totals.verify, count, (i) => {
      const s = this.signatures[at(i)]!;
      if (!secp.ecdsaVerify(s.signature, this.digests[at(i)]!, this.publicKey))
        throw new Error("verify failed");
    });
    this.timed(this.totals.recover, count, (i) => {
      const s = this.signatures[at(i)]!;
      secp.ecdsaRecover(s.signature, s.recid, this.digests[at(i)]!, false);
    });
  }

  /** Forgets what was timed so far (the warm-up). */
  reset(): void {
    this.totals = noTimings();
  }

  rates(): { verify: Rate; recover: Rate } {
    const rate = (t: Timing): Rate => ({
      wall: t.n / (t.wall / 1000),
      cpu: t.n / (t.cpu / 1000),
    });
    return { verify: rate(this.totals.verify), recover: rate(this.totals.recover) };
  }

  private timed(total: Timing, count: number, run: (i: number) => void): void {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for (let i = 0; i < count; i++) run(i);
    total.cpu += cpuMs(cpuStarted);
    total.wall += performance.now() - started;
    total.n += count;
  }
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

interface PipelineResult {
  rate: number;
  cpuRate: number;
  bare: { verify: Rate; recover: Rate };
  /** The same, timed in one loop before the blocks: what a core does with nothing else between. */
  bareAlone: { verify: Rate; recover: Rate };
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
    let wallMs = 0;
    const bare = new BareSecp256k1(5000);
    bare.run(5000);
    const bareAlone = bare.rates();
    bare.reset();
    const runBlocks = async (txs: Uint8Array[], between?: (block: number) => void): Promise<void> => {
      for (let offset = 0; offset < txs.length; offset += blockSize) {
        const block = txs.slice(offset, offset + blockSize);
        const started = performance.now();
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
        wallMs += performance.now() - started;
        between?.(block.length);
      }
    };
    await runBlocks(signed.slice(0, warmupTxs), (n) => bare.run(n));
    const warmupBlocks = height;
    Object.assign(phases, { checkTx: 0, finalizeBlock: 0, commit: 0 });
    wallMs = 0;
    bare.reset();
    const txs = signed.slice(warmupTxs);
    const profile = await measuredProfile();
    await profile.around(() => runBlocks(txs, (n) => bare.run(n)));
    const cpuSeconds = (phases.checkTx + phases.finalizeBlock + phases.commit) / 1000;
    await profile.finish();
    return {
      rate: txs.length / (wallMs / 1000),
      cpuRate: txs.length / cpuSeconds,
      bare: bare.rates(),
      bareAlone,
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

// The bare rates are measured in slices between the measured blocks (as many verifies and recoveries as the block had
// txs), so a machine whose speed drifts skews both sides alike. CPU-time rates are printed too: on a machine shared with
// other work they are the steadier comparison.
const loadBefore = loadavg()[0]!;
const pipeline = await pipelineRate();
const loadAfter = loadavg()[0]!;
const verifies = pipeline.bare.verify.wall;
const cpuVerifies = pipeline.bare.verify.cpu;
const cpuRecoveries = pipeline.bare.recover.cpu;
const perTx = (ms: number) => ((ms * 1000) / txCount).toFixed(0);
console.log(
  `node flags (the sidecar's): ${SIDECAR_NODE_FLAGS.join(" ")}; ` +
    `signature recovery in the pipeline: ${recoveryBackend}; pre-signed load (${txCount} txs signed before the clock starts, ` +
    `after ${pipeline.warmupBlocks} unmeasured warm-up blocks)`,
);
console.log(
  `bare libsecp256k1 verify (one core, between the measured blocks): ${verifies.toFixed(0)} /s wall, ` +
    `${cpuVerifies.toFixed(0)} /s of CPU time; recover ${cpuRecoveries.toFixed(0)} /s of CPU time ` +
    `(in one loop before the blocks: verify ${pipeline.bareAlone.verify.cpu.toFixed(0)}, ` +
    `recover ${pipeline.bareAlone.recover.cpu.toFixed(0)} /s of CPU time)`,
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
