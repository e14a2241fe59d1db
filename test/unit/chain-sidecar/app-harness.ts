// Runs the real Uranus app in-process over a temporary data directory, with deterministic keys and block helpers.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import type { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import type { RequestInitChain, ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { CheckTxType, MisbehaviorType } from "cosmjs-types/tendermint/abci/types";
import {
  openUranusApp,
  type UranusApp,
  type UranusAppOptions,
} from "../../../chain-sidecar/app/uranus-app.js";
import { buildGenesisAppState, type GenesisInput } from "../../../chain-sidecar/genesis/app-state.js";
import type { MessageSpec } from "../../../chain-sidecar/tx/message-spec.js";
import { signTx } from "../../../chain-sidecar/tx/signing.js";

export const CHAIN_ID = "uranus-test-1";
/** Bytes that decode to no tx: refused with a result code, charging no one. */
export const UNDECODABLE_TX = Uint8Array.of(0xff);

/** A wallet derived from a label, so runs are reproducible. */
export function testWallet(label: string): Wallet {
  return new Wallet("0x" + createHash("sha256").update(`wallet:${label}`).digest("hex"));
}

/** A stand-in ed25519 public key (32 bytes); the app never verifies consensus signatures itself. */
export function testConsensusKey(label: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`consensus:${label}`).digest());
}

/** One wallet per name, each labelled `${prefix}-${name}`, so a suite declares its actors in one line. */
export function testWallets<const Name extends string>(
  prefix: string,
  ...names: Name[]
): Record<Name, Wallet> {
  const wallets = names.map((name) => [name, testWallet(`${prefix}-${name}`)] as const);
  return Object.fromEntries(wallets) as Record<Name, Wallet>;
}

export function consensusAddressHex(pubKey: Uint8Array): string {
  return createHash("sha256").update(pubKey).digest().subarray(0, 20).toString("hex").toUpperCase();
}

export interface BlockOptions {
  misbehavior?: { consensusAddress: string; height: number }[];
  /** Consensus addresses (hex) that did not sign the previous block; others listed in `signers` did. */
  absent?: string[];
  signers?: string[];
  timeMs?: number;
}

export class AppHarness {
  height = 0;
  private readonly nonces = new Map<string, number>();

  private constructor(
    public app: UranusApp,
    readonly dataDir: string,
    readonly ownsDir: boolean,
    private readonly initRequest: RequestInitChain,
  ) {}

  static async start(
    genesis: GenesisInput,
    dataDir?: string,
    appOptions: Omit<UranusAppOptions, "dataDir"> = {},
    consensusParams?: ConsensusParams,
  ): Promise<{ harness: AppHarness; init: Awaited<ReturnType<UranusApp["initChain"]>> }> {
    const dir = dataDir ?? mkdtempSync(join(tmpdir(), "uranus-app-"));
    const app = await openUranusApp({ ...appOptions, dataDir: dir });
    const appState = buildGenesisAppState(genesis);
    const request: RequestInitChain = {
      time: { seconds: 1_700_000_000n, nanos: 0 },
      chainId: CHAIN_ID,
      validators: [],
      appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
      initialHeight: 1n,
      ...(consensusParams === undefined ? {} : { consensusParams }),
    };
    const harness = new AppHarness(app, dir, dataDir === undefined, request);
    try {
      return { harness, init: await app.initChain(request) };
    } catch (error) {
      // A refused genesis leaves nothing open or on disk behind it.
      await harness.close();
      throw error;
    }
  }

  /** Signs with the next local nonce of `wallet` unless one is given. */
  async sign<T>(wallet: Wallet, spec: MessageSpec<T>, message: T, nonce?: number): Promise<Uint8Array> {
    const address = wallet.address.toLowerCase();
    const use = nonce ?? this.nonces.get(address) ?? 0;
    if (nonce === undefined) this.nonces.set(address, use + 1);
    return signTx(wallet, CHAIN_ID, spec, message, use);
  }

  async finalize(txs: Uint8Array[], options: BlockOptions = {}): Promise<ResponseFinalizeBlock> {
    const height = this.height + 1;
    const votes = [
      ...(options.signers ?? []).map((a) => ({ address: a, flag: BlockIDFlag.BLOCK_ID_FLAG_COMMIT })),
      ...(options.absent ?? []).map((a) => ({ address: a, flag: BlockIDFlag.BLOCK_ID_FLAG_ABSENT })),
    ];
    const timeMs = options.timeMs ?? 1_700_000_000_000 + height * 1000;
    const response = await this.app.finalizeBlock({
      txs,
      decidedLastCommit: {
        round: 0,
        votes: votes.map((v) => ({
          validator: { address: Buffer.from(v.address, "hex"), power: 1n },
          blockIdFlag: v.flag,
        })),
      },
      misbehavior: (options.misbehavior ?? []).map((m) => ({
        type: MisbehaviorType.DUPLICATE_VOTE,
        validator: { address: Buffer.from(m.consensusAddress, "hex"), power: 1n },
        height: BigInt(m.height),
        time: { seconds: 0n, nanos: 0 },
        totalVotingPower: 1n,
      })),
      hash: new Uint8Array(32),
      height: BigInt(height),
      time: { seconds: BigInt(Math.floor(timeMs / 1000)), nanos: (timeMs % 1000) * 1_000_000 },
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    });
    return response;
  }

  /** FinalizeBlock then Commit. */
  async block(txs: Uint8Array[], options: BlockOptions = {}): Promise<ResponseFinalizeBlock> {
    const response = await this.finalize(txs, options);
    await this.app.commit({});
    this.height += 1;
    return response;
  }

  /** Blocks without txs: they run no block hooks and change no state. */
  async emptyBlocks(count: number, options: BlockOptions = {}): Promise<ResponseFinalizeBlock[]> {
    const responses: ResponseFinalizeBlock[] = [];
    for (let i = 0; i < count; i++) responses.push(await this.block([], options));
    return responses;
  }

  /** Blocks carrying one tx that fails decoding: it changes nothing itself, but the block hooks run. */
  async busyBlocks(count: number, options: BlockOptions = {}): Promise<ResponseFinalizeBlock[]> {
    const responses: ResponseFinalizeBlock[] = [];
    for (let i = 0; i < count; i++) responses.push(await this.block([UNDECODABLE_TX], options));
    return responses;
  }

  async check(tx: Uint8Array): Promise<{ code: number; log: string }> {
    const r = await this.app.checkTx({ tx, type: CheckTxType.NEW });
    return { code: r.code, log: r.log };
  }

  async query<T>(path: string): Promise<T> {
    const r = await this.app.query({ path, data: new Uint8Array(), height: 0n, prove: false });
    if (r.code !== 0) throw new Error(`query ${path} failed: ${r.log}`);
    return JSON.parse(new TextDecoder().decode(r.value)) as T;
  }

  async balance(wallet: Wallet | string): Promise<bigint> {
    const address = typeof wallet === "string" ? wallet : wallet.address;
    return BigInt((await this.query<{ balance: string }>(`/account/${address}`)).balance);
  }

  /** Closes and reopens the app over the same directory; like CometBFT, re-runs InitChain if nothing was committed. */
  async restart(): Promise<void> {
    await this.app.close();
    this.app = await openUranusApp({ dataDir: this.dataDir });
    const info = await this.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    if (info.lastBlockHeight === 0n) await this.app.initChain(this.initRequest);
  }

  async close(): Promise<void> {
    await this.app.close();
    if (this.ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
