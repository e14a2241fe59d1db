// A tiny ABCI application for transport tests: txs are `key=value`, the app hash is a sha256 over the sorted store.
import { createHash } from "node:crypto";
import { ResponseProcessProposal_ProposalStatus } from "cosmjs-types/tendermint/abci/types";
import type * as abci from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "../../chain-sidecar/abci/application.js";

export const KV_INVALID_TX = 1;
/** Keys starting with `unique` may be written once; a second write is refused, also on recheck. */
export const KV_KEY_TAKEN = 2;

type Method = keyof AbciApplication;

export interface KvstoreOptions {
  /** Makes the named method throw, to exercise the transports' handling of application faults. */
  failOn?: Method;
  /** Delay inside each call, so overlapping calls would be visible. */
  callDelayMs?: number;
  /** PrepareProposal keeps at most this many txs, leaving the rest in the mempool. */
  maxTxsPerBlock?: number;
}

function parseTx(tx: Uint8Array): [string, string] | undefined {
  const text = Buffer.from(tx).toString("utf8");
  const eq = text.indexOf("=");
  if (eq <= 0) return undefined;
  return [text.slice(0, eq), text.slice(eq + 1)];
}

export class KvstoreApp implements AbciApplication {
  readonly store = new Map<string, string>();
  private pending = new Map<string, string>();
  height = 0n;
  appHash: Uint8Array = new Uint8Array();
  /** Method names in the order they were called. */
  readonly calls: Method[] = [];
  private active = 0;
  /** Set between FinalizeBlock and Commit; proof queries wait on it, as an app whose proofs need a committed root. */
  private uncommittedBlock: { done: Promise<void>; release: () => void } | undefined;
  /** The most calls that were ever running at once; 1 when the transport serializes them. */
  maxConcurrentCalls = 0;
  /** The same for block calls only: a driver may check txs and answer queries while a block executes, never two block calls at once. */
  maxConcurrentBlockCalls = 0;
  private activeBlockCalls = 0;
  private finalizeGate: { entered: () => void; released: Promise<void> } | undefined;

  constructor(private readonly options: KvstoreOptions = {}) {}

  /** The next FinalizeBlock waits inside until `release` is called; `entered` resolves once it is waiting. */
  holdNextFinalize(): { entered: Promise<void>; release: () => void } {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const entered = new Promise<void>((resolve) => {
      this.finalizeGate = { entered: resolve, released };
    });
    return { entered, release };
  }

  private async enter(method: Method): Promise<void> {
    this.calls.push(method);
    this.active++;
    this.maxConcurrentCalls = Math.max(this.maxConcurrentCalls, this.active);
    const blockCall = method !== "checkTx" && method !== "query" && method !== "info";
    if (blockCall) this.activeBlockCalls++;
    this.maxConcurrentBlockCalls = Math.max(this.maxConcurrentBlockCalls, this.activeBlockCalls);
    try {
      const gate = method === "finalizeBlock" ? this.finalizeGate : undefined;
      if (gate !== undefined) {
        this.finalizeGate = undefined;
        gate.entered();
        await gate.released;
      }
      if (this.options.callDelayMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, this.options.callDelayMs));
      }
      if (this.options.failOn === method) throw new Error(`kvstore refuses ${method} on purpose`);
    } finally {
      this.active--;
      if (blockCall) this.activeBlockCalls--;
    }
  }

  /** Over the entries only, as CometBFT's kvstore: a block without txs leaves it unchanged. */
  private hashOf(entries: Map<string, string>): Uint8Array {
    const hash = createHash("sha256");
    for (const key of [...entries.keys()].sort()) hash.update(`${key}=${entries.get(key)}\n`);
    return new Uint8Array(hash.digest());
  }

  async info(): Promise<abci.ResponseInfo> {
    await this.enter("info");
    return {
      data: "kvstore",
      version: "1",
      appVersion: 1n,
      lastBlockHeight: this.height,
      lastBlockAppHash: this.appHash,
    };
  }

  async initChain(_request: abci.RequestInitChain): Promise<abci.ResponseInitChain> {
    await this.enter("initChain");
    this.appHash = this.hashOf(this.store);
    return { validators: [], appHash: this.appHash };
  }

  async checkTx(request: abci.RequestCheckTx): Promise<abci.ResponseCheckTx> {
    await this.enter("checkTx");
    const parsed = parseTx(request.tx);
    const taken = parsed !== undefined && parsed[0].startsWith("unique") && this.store.has(parsed[0]);
    const code = parsed === undefined ? KV_INVALID_TX : taken ? KV_KEY_TAKEN : 0;
    return {
      code,
      data: new Uint8Array(),
      log:
        code === KV_INVALID_TX
          ? "tx must be key=value with a non-empty key"
          : taken
            ? "key already written"
            : "",
      info: "",
      gasWanted: 1n,
      gasUsed: 0n,
      events: [],
      codespace: code === 0 ? "" : "kvstore",
    };
  }

  async prepareProposal(request: abci.RequestPrepareProposal): Promise<abci.ResponsePrepareProposal> {
    await this.enter("prepareProposal");
    const txs: Uint8Array[] = [];
    let bytes = 0n;
    for (const tx of request.txs) {
      if (bytes + BigInt(tx.length) > request.maxTxBytes) break;
      if (txs.length === (this.options.maxTxsPerBlock ?? Infinity)) break;
      bytes += BigInt(tx.length);
      txs.push(tx);
    }
    return { txs };
  }

  async processProposal(request: abci.RequestProcessProposal): Promise<abci.ResponseProcessProposal> {
    await this.enter("processProposal");
    const valid = request.txs.every((tx) => parseTx(tx) !== undefined);
    return {
      status: valid
        ? ResponseProcessProposal_ProposalStatus.ACCEPT
        : ResponseProcessProposal_ProposalStatus.REJECT,
    };
  }

  async finalizeBlock(request: abci.RequestFinalizeBlock): Promise<abci.ResponseFinalizeBlock> {
    await this.enter("finalizeBlock");
    this.pending = new Map(this.store);
    const txResults: abci.ExecTxResult[] = request.txs.map((tx) => {
      const parsed = parseTx(tx);
      if (parsed === undefined) {
        return {
          code: KV_INVALID_TX,
          data: new Uint8Array(),
          log: "tx must be key=value",
          info: "",
          gasWanted: 0n,
          gasUsed: 0n,
          events: [],
          codespace: "kvstore",
        };
      }
      if (parsed[0].startsWith("unique") && this.pending.has(parsed[0])) {
        return {
          code: KV_KEY_TAKEN,
          data: new Uint8Array(),
          log: "key already written",
          info: "",
          gasWanted: 0n,
          gasUsed: 0n,
          events: [],
          codespace: "kvstore",
        };
      }
      this.pending.set(parsed[0], parsed[1]);
      return {
        code: 0,
        data: new Uint8Array(),
        log: "",
        info: "",
        gasWanted: 1n,
        gasUsed: 1n,
        events: [{ type: "kv", attributes: [{ key: "key", value: parsed[0], index: true }] }],
        codespace: "",
      };
    });
    this.height = request.height;
    this.appHash = this.hashOf(this.pending);
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.uncommittedBlock = { done, release };
    return {
      events: [
        { type: "kv_block", attributes: [{ key: "height", value: String(request.height), index: true }] },
      ],
      txResults,
      validatorUpdates: [],
      appHash: this.appHash,
    };
  }

  async commit(): Promise<abci.ResponseCommit> {
    await this.enter("commit");
    this.store.clear();
    for (const [key, value] of this.pending) this.store.set(key, value);
    this.uncommittedBlock?.release();
    this.uncommittedBlock = undefined;
    return { retainHeight: 0n };
  }

  async query(request: abci.RequestQuery): Promise<abci.ResponseQuery> {
    await this.enter("query");
    if (request.prove) await this.uncommittedBlock?.done;
    const key = Buffer.from(request.data).toString("utf8");
    const value = this.store.get(key);
    return {
      code: value === undefined ? 1 : 0,
      log: value === undefined ? "absent" : "exists",
      info: "",
      index: 0n,
      key: request.data,
      value: value === undefined ? new Uint8Array() : Buffer.from(value),
      height: this.height,
      codespace: "",
    };
  }
}
