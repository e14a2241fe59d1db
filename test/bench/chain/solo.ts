// Benchmark: bare secp256k1 recovery rate of one core vs signed transfers through CheckTx + FinalizeBlock + Commit.
// Run: npx tsx test/bench/chain/solo.ts [--txs N] [--block N]
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { SigningKey, Wallet, keccak256, toUtf8Bytes } from "ethers";
import { openUranusApp } from "../../../chain-sidecar/app/uranus-app.js";
import { buildGenesisAppState } from "../../../chain-sidecar/genesis.js";
import { TransferMsg } from "../../../chain-sidecar/modules/bank/bank-messages.js";
import { signTx } from "../../../chain-sidecar/tx/signing.js";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const txCount = option("txs", 3000);
const blockSize = option("block", 500);
const senders = option("senders", 300);
const chainId = "uranus-bench-1";

function wallet(i: number): Wallet {
  return new Wallet("0x" + createHash("sha256").update(`bench:${i}`).digest("hex"));
}

/** Signature recoveries per second on this core, through ethers' SigningKey (noble-curves underneath). */
function recoveryRate(samples: number): { wall: number; cpu: number } {
  const key = new SigningKey(wallet(0).privateKey);
  const digests = Array.from({ length: samples }, (_, i) => keccak256(toUtf8Bytes(`digest ${i}`)));
  const signatures = digests.map((d) => key.sign(d));
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (let i = 0; i < samples; i++) SigningKey.recoverPublicKey(digests[i]!, signatures[i]!);
  const cpu = process.cpuUsage(cpuStarted);
  return {
    wall: samples / ((performance.now() - started) / 1000),
    cpu: samples / ((cpu.user + cpu.system) / 1e6),
  };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

interface PipelineResult {
  rate: number;
  cpuRate: number;
  blocks: number;
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
    process.stdout.write(`signing ${txCount} transfers from ${senders} accounts… `);
    const nonces = new Array<number>(senders).fill(0);
    const txs: Uint8Array[] = [];
    for (let i = 0; i < txCount; i++) {
      const from = i % senders;
      const to = wallets[(i * 7 + 3) % senders]!.address;
      txs.push(await signTx(wallets[from]!, chainId, TransferMsg, { to, amount: 1n }, nonces[from]!++));
    }
    process.stdout.write("done\n");
    let height = 0;
    let rejected = 0;
    const phases = { checkTx: 0, finalizeBlock: 0, commit: 0 };
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
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
      const result = await app.finalizeBlock({
        txs: block,
        decidedLastCommit: { round: 0, votes: [] },
        misbehavior: [],
        hash: new Uint8Array(32),
        height: BigInt(height),
        time: { seconds: 1_700_000_000n + BigInt(height), nanos: 0 },
        nextValidatorsHash: new Uint8Array(32),
        proposerAddress: new Uint8Array(20),
      });
      rejected += result.txResults.filter((r) => r.code !== 0).length;
      phases.finalizeBlock += cpuMs(t);
      t = process.cpuUsage();
      await app.commit({});
      phases.commit += cpuMs(t);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return { rate: txs.length / seconds, cpuRate: txs.length / cpuSeconds, blocks: height, rejected, phases };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Recovery is measured before and after the pipeline and averaged, so a busy machine skews both sides alike.
// CPU-time rates are printed too: on a machine shared with other work they are the steadier comparison.
const recoveryBefore = recoveryRate(1000);
const pipeline = await pipelineRate();
const recoveryAfter = recoveryRate(1000);
const recoveries = (recoveryBefore.wall + recoveryAfter.wall) / 2;
const cpuRecoveries = (recoveryBefore.cpu + recoveryAfter.cpu) / 2;
const perTx = (ms: number) => ((ms * 1000) / txCount).toFixed(0);
console.log(
  `secp256k1 signature recovery (one core): ${recoveries.toFixed(0)} /s wall ` +
    `(before ${recoveryBefore.wall.toFixed(0)}, after ${recoveryAfter.wall.toFixed(0)}), ${cpuRecoveries.toFixed(0)} /s of CPU time`,
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
const ratio = pipeline.rate / recoveries;
const cpuRatio = pipeline.cpuRate / cpuRecoveries;
console.log(`ratio (wall): ${ratio.toFixed(2)}, ratio (CPU time): ${cpuRatio.toFixed(2)} — target ≥ 0.70`);
if (pipeline.rejected > 0) process.exitCode = 1;
