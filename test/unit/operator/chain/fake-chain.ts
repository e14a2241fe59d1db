// An in-memory chain for unit tests of the operator's chain traffic. It decodes every transaction with the real
// codec and recovers its sender, checks the sender's nonce as CheckTx does (STALE_NONCE / FUTURE_NONCE, worded as
// the bank keeper words them), runs optional per-message rules against a check state and then a block state, and
// commits a block only when told to, resolving the block watcher's waits. Tests can make it refuse, lose, drop or
// hold a given transaction, or keep a sender's broadcasts waiting at a gate.
import type { ChainClient, TxOutcome } from "../../../../chain-sidecar/client/chain-client.js";
import { ChainTxError, checkTxRefusal } from "../../../../chain-sidecar/client/chain-errors.js";
import type { AccountView } from "../../../../chain-sidecar/client/chain-views.js";
import { uranusRegistry } from "../../../../chain-sidecar/modules/uranus-modules.js";
import { decodeTx, txHash, type DecodedTx } from "../../../../chain-sidecar/tx/envelope.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { recoverSender } from "../../../../chain-sidecar/tx/signing.js";
import { TxError } from "../../../../chain-sidecar/tx/tx-error.js";
import type { IncludedTx } from "../../../../operator/chain/block-watcher.js";
import { FakeWatcher } from "./fake-watcher.js";

/** Chain state as keys and values (never mutated in place: a rule sets new values). */
export type FakeState = Map<string, unknown>;
/** Checks and applies one message to `state`; throws TxError to refuse it; `emit` adds an event to its result. */
export type MessageRule = (
  state: FakeState,
  sender: string,
  message: unknown,
  emit: (event: IncludedTx["events"][number]) => void,
) => void;

export type Disruption =
  /** Refused with this code and log, in CheckTx (its nonce stays free) or in the block (its nonce is used). */
  | { kind: "refuse"; stage: "check" | "block"; code: number; log: string }
  /** The broadcast fails in transport; `admitted` says whether the node took the transaction all the same. */
  | { kind: "transport"; admitted: boolean }
  /** Admitted, then lost from the mempool: it never lands and its nonce is free again after the next block. */
  | { kind: "drop" }
  /** Admitted, but kept out of blocks (with its sender's later transactions) until released. */
  | { kind: "hold" };

/** What a test can match a transaction by. */
export interface TxView {
  sender: string;
  nonce: number;
  type: string;
  message: unknown;
}

export interface BroadcastEvent extends TxView {
  kind: "broadcast";
  hash: string;
  outcome: "admitted" | "refused" | "transport";
  code: number;
  log: string;
}

export interface AccountEvent {
  kind: "account";
  address: string;
  nonce: number;
}

export type CommittedTx = IncludedTx & TxView;

export interface Block {
  height: number;
  txs: CommittedTx[];
}

/** The error a lost broadcast throws (as an HTTP client would). */
export class TransportError extends Error {
  override readonly name = "TransportError";
}

interface Pending extends TxView {
  tx: DecodedTx;
  held: boolean;
  refusal?: { code: number; log: string };
}

const nonceKey = (address: string): string => `nonce/${address}`;

function nextNonce(state: FakeState, sender: string): number {
  return (state.get(nonceKey(sender)) as number | undefined) ?? 0;
}

/** The ante step: the nonce must be the sender's next one (as BankKeeper.chargeTx words its refusals). */
function chargeNonce(state: FakeState, sender: string, nonce: number): void {
  const next = nextNonce(state, sender);
  if (nonce < next) {
    throw new TxError(
      ResultCode.STALE_NONCE,
      `tx.nonce: ${nonce} is already used; the next nonce of ${sender} is ${next}`,
    );
  }
  if (nonce > next) {
    throw new TxError(
      ResultCode.FUTURE_NONCE,
      `tx.nonce: ${nonce} is ahead; the next nonce of ${sender} is ${next}`,
    );
  }
  state.set(nonceKey(sender), next + 1);
}

export class FakeChain {
  readonly chainId = "uranus-fake-1";
  height = 1;
  private blockTimeMs = Date.UTC(2026, 0, 1);
  private committed: FakeState = new Map();
  private check: FakeState = new Map();
  private mempool: Pending[] = [];
  private readonly disruptions: { match: (tx: TxView) => boolean; disruption: Disruption; times: number }[] =
    [];
  private readonly gates: { match: (tx: TxView) => boolean; open: Promise<void> }[] = [];
  private readonly listeners = new Set<() => void>();
  private autoCommitting = false;
  /** Broadcasts and account queries, in the order they reached the chain. */
  readonly log: (BroadcastEvent | AccountEvent)[] = [];
  readonly blocks: Block[] = [];
  /** Broadcasts waiting at a gate. */
  gated = 0;
  /** Commits a block soon after each admission. */
  autoCommit = false;

  constructor(private readonly rules: Record<string, MessageRule> = {}) {}

  readonly client: Pick<ChainClient, "chainId" | "account" | "broadcast" | "broadcastBatch"> = {
    chainId: () => Promise.resolve(this.chainId),
    account: (address: string): Promise<AccountView> => {
      const key = address.toLowerCase();
      const nonce = nextNonce(this.committed, key);
      this.log.push({ kind: "account", address: key, nonce });
      this.notify();
      return Promise.resolve({ address: key, balance: 0n, nonce });
    },
    broadcast: (tx: Uint8Array): Promise<TxOutcome> => this.broadcast(tx),
    // As CometBFT answers a batch: one call after another; a lost connection loses the answers of the whole batch.
    broadcastBatch: async (txs: readonly Uint8Array[]): Promise<(Error | undefined)[]> => {
      const answers: (Error | undefined)[] = [];
      for (const tx of txs) {
        try {
          await this.broadcast(tx);
          answers.push(undefined);
        } catch (error) {
          if (!(error instanceof ChainTxError)) throw error;
          answers.push(error);
        }
      }
      return answers;
    },
  };

  readonly watcher = new FakeWatcher(
    () => this.height,
    () => this.notify(),
  );

  get broadcasts(): BroadcastEvent[] {
    return this.log.filter((event): event is BroadcastEvent => event.kind === "broadcast");
  }

  get accountQueries(): AccountEvent[] {
    return this.log.filter((event): event is AccountEvent => event.kind === "account");
  }

  get mempoolSize(): number {
    return this.mempool.length;
  }

  /** Hashes someone waits for. */
  get awaited(): string[] {
    return this.watcher.awaited;
  }

  /** The committed nonce of `address`: what `account` answers. */
  nonceOf(address: string): number {
    return nextNonce(this.committed, address.toLowerCase());
  }

  /** A committed value. */
  read(key: string): unknown {
    return this.committed.get(key);
  }

  /** Sets a committed value (and the check state's), as if an earlier block had written it. */
  seed(key: string, value: unknown): void {
    this.committed.set(key, value);
    this.check.set(key, value);
  }

  /** Another process of the same key has had `count` transactions committed. */
  useNonces(address: string, count: number): void {
    const key = address.toLowerCase();
    this.seed(nonceKey(key), nextNonce(this.committed, key) + count);
  }

  /** The next `times` transactions matching `match` meet `disruption`. */
  disrupt(match: (tx: TxView) => boolean, disruption: Disruption, times = 1): void {
    this.disruptions.push({ match, disruption, times });
  }

  /** Broadcasts matching `match` wait until the returned function is called. */
  pause(match: (tx: TxView) => boolean): () => void {
    let open = (): void => undefined;
    const gate = { match, open: new Promise<void>((resolve) => (open = resolve)) };
    this.gates.push(gate);
    return () => {
      this.gates.splice(this.gates.indexOf(gate), 1);
      open();
    };
  }

  /** Lets held transactions into the next blocks. */
  release(): void {
    for (const pending of this.mempool) pending.held = false;
  }

  /** Ends every wait without a result, as the watcher's stop() does. */
  expireWaiters(): void {
    this.watcher.expire();
  }

  /** Resolves once `condition` holds (checked after every change); rejects after `timeoutMs`. */
  until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.listeners.add(check);
    });
  }

  /** Tells waiting `until`s that something outside the chain changed. */
  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private async broadcast(bytes: Uint8Array): Promise<TxOutcome> {
    const hash = txHash(bytes);
    let tx: DecodedTx;
    let sender: string;
    try {
      tx = decodeTx(bytes, uranusRegistry.catalog, hash);
      if (tx.chainId !== this.chainId)
        throw new TxError(ResultCode.WRONG_CHAIN_ID, `tx.chainId: ${tx.chainId}`);
      sender = recoverSender(tx);
    } catch (error) {
      if (error instanceof TxError) throw new ChainTxError(error.code, error.log, "check", hash);
      throw error;
    }
    const view: TxView = { sender, nonce: tx.nonce, type: tx.spec.primaryType, message: tx.message };
    const gate = this.gates.find((g) => g.match(view));
    if (gate !== undefined) {
      this.gated += 1;
      this.notify();
      await gate.open;
      this.gated -= 1;
    }
    const found = this.disruptions.find((d) => d.times > 0 && d.match(view));
    const take = (): Disruption | undefined => {
      if (found !== undefined) found.times -= 1;
      return found?.disruption;
    };
    const event = (outcome: BroadcastEvent["outcome"], code = 0, log = ""): void => {
      this.log.push({ kind: "broadcast", ...view, hash, outcome, code, log });
      this.notify();
    };
    if (found?.disruption.kind === "transport" && !found.disruption.admitted) {
      take();
      event("transport");
      throw new TransportError(`broadcast of ${hash}: socket hang up`);
    }
    const transportAfter = found?.disruption.kind === "transport";
    const state = new Map(this.check);
    let refusal: { code: number; log: string } | undefined;
    try {
      chargeNonce(state, sender, tx.nonce);
    } catch (error) {
      refusal = error as TxError;
    }
    const disruption = refusal === undefined || transportAfter ? take() : undefined;
    if (refusal === undefined && disruption?.kind === "refuse" && disruption.stage === "check")
      refusal = disruption;
    refusal ??= this.applyRule(state, view);
    if (refusal !== undefined) {
      event(transportAfter ? "transport" : "refused", refusal.code, refusal.log);
      if (transportAfter) throw new TransportError(`broadcast of ${hash}: socket hang up`);
      throw checkTxRefusal(refusal.code, refusal.log, hash);
    }
    this.check = state;
    if (disruption?.kind !== "drop") {
      const pending: Pending = { ...view, tx, held: disruption?.kind === "hold" };
      if (disruption?.kind === "refuse") pending.refusal = disruption;
      this.mempool.push(pending);
    }
    event(transportAfter ? "transport" : "admitted");
    if (this.autoCommit && !this.autoCommitting) {
      this.autoCommitting = true;
      setImmediate(() => {
        this.autoCommitting = false;
        this.commit();
      });
    }
    if (transportAfter) throw new TransportError(`broadcast of ${hash}: socket hang up`);
    return { hash, code: 0, log: "", nonce: tx.nonce, events: [] };
  }

  /** Runs the message's rule on a branch of `state`, merged only when it passes; its events go to `events`. */
  private applyRule(
    state: FakeState,
    tx: TxView,
    events: IncludedTx["events"][number][] = [],
  ): { code: number; log: string } | undefined {
    const rule = this.rules[tx.type];
    if (rule === undefined) return undefined;
    const branch = new Map(state);
    try {
      const emitted: IncludedTx["events"][number][] = [];
      rule(branch, tx.sender, tx.message, (event) => emitted.push(event));
      events.push(...emitted);
    } catch (error) {
      if (error instanceof TxError) return { code: error.code, log: error.log };
      throw error;
    }
    for (const [key, value] of branch) state.set(key, value);
    return undefined;
  }

  /** Makes a block of the mempool in order, then rechecks what stays, as CometBFT does after a commit. */
  commit(): Block {
    const height = this.height + 1;
    this.blockTimeMs += 1_000;
    const state = new Map(this.committed);
    const block: Block = { height, txs: [] };
    const blocked = new Set<string>();
    const kept: Pending[] = [];
    for (const pending of this.mempool) {
      if (pending.held || blocked.has(pending.sender)) {
        blocked.add(pending.sender);
        kept.push(pending);
        continue;
      }
      // A nonce out of step (a dropped predecessor) leaves it out of the block, and the recheck evicts it.
      if (pending.tx.nonce !== nextNonce(state, pending.sender)) continue;
      chargeNonce(state, pending.sender, pending.tx.nonce);
      const ruleEvents: IncludedTx["events"][number][] = [];
      const result = pending.refusal ??
        this.applyRule(state, pending, ruleEvents) ?? { code: ResultCode.OK, log: "" };
      const { sender, nonce, type, message } = pending;
      block.txs.push({
        hash: pending.tx.hash,
        height,
        code: result.code,
        log: result.log,
        events: [
          {
            type: "tx",
            attributes: [
              { key: "sender", value: sender },
              { key: "nonce", value: String(nonce) },
              { key: "type", value: type },
            ],
          },
          ...ruleEvents,
        ],
        blockTime: new Date(this.blockTimeMs),
        sender,
        nonce,
        type,
        message,
      });
    }
    this.height = height;
    this.committed = state;
    this.check = new Map(state);
    this.mempool = kept.filter((pending) => {
      const recheck = new Map(this.check);
      try {
        chargeNonce(recheck, pending.sender, pending.tx.nonce);
      } catch {
        return false;
      }
      if (this.applyRule(recheck, pending) !== undefined) return false;
      this.check = recheck;
      return true;
    });
    this.blocks.push(block);
    this.watcher.included(height, block.txs);
    this.notify();
    return block;
  }
}
