// Talks to any node serving CometBFT's RPC (CometBFT itself or the solo producer): signs, broadcasts and queries.
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { getAddress } from "ethers";
import { TransferMsg } from "../modules/bank/bank-messages.js";
import {
  LendMsg,
  RegisterValidatorMsg,
  UnbondMsg,
  UnjailMsg,
  VoteMsg,
  type RegisterValidator,
} from "../modules/staking/staking-messages.js";
import { ARCHIVED_INFO_PREFIX, verifyStateProof } from "../query/state-proof.js";
import { txHash } from "../tx/envelope.js";
import type { MessageSpec } from "../tx/message-spec.js";
import { ResultCode } from "../tx/result-codes.js";
import { signTx, type TypedDataSigner } from "../tx/signing.js";
import { ChainQueryError, ChainTxError, checkTxRefusal, overloadFromRpcError } from "./chain-errors.js";
import { FederationQueries, MarketQueries, MeteringQueries, PocQueries } from "./module-queries.js";
import {
  toAccountView,
  toStakingPositionView,
  toValidatorView,
  type AccountView,
  type ParamsView,
  type StakingPositionView,
  type ValidatorView,
} from "./chain-views.js";

export type BroadcastMode = "sync" | "commit";

/** A state record checked against an app hash: null when the proof shows it absent. */
export interface ProvenRecord {
  value: unknown;
  /** The height whose state the proof is of, and that state's app hash (hex). */
  height: number;
  appHash: string;
  /** Gone from state since: proven from the node's archive at the last height it was in state. */
  archived: boolean;
}

export interface TxOutcome {
  hash: string;
  /** Block height, in commit mode. */
  height?: number;
  code: number;
  log: string;
  nonce: number;
  events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[];
}

export interface SubmitOptions {
  mode?: BroadcastMode;
  /** Overrides the tracked next nonce. */
  nonce?: number;
}

const decoder = new TextDecoder();

interface BatchAnswer {
  id: number | string;
  result?: { code?: number | string; log?: string };
  error?: { message: string; data?: string };
}
const HEADER_WAIT_MS = 15_000;

/** Signings of one submission when its nonce keeps being refused (another holder of the key taking it). */
const NONCE_ATTEMPTS = 3;

export class ChainClient {
  private cachedChainId: string | undefined;
  /** Next nonce per sender after transactions this client sent that the chain has not yet committed. */
  private readonly pendingNonces = new Map<string, number>();
  readonly market = new MarketQueries(this);
  readonly metering = new MeteringQueries(this);
  readonly poc = new PocQueries(this);
  readonly federation = new FederationQueries(this);

  private constructor(
    readonly comet: Comet38Client,
    private readonly endpoint: string,
  ) {}

  static async connect(endpoint: string): Promise<ChainClient> {
    let comet: Comet38Client | undefined;
    try {
      comet = await Comet38Client.connect(endpoint);
      const client = new ChainClient(comet, endpoint);
      // Asking for the chain id up front turns an unreachable or wrong endpoint into one clear error.
      await client.chainId();
      return client;
    } catch (error) {
      comet?.disconnect();
      const cause = (error as Error & { cause?: Error }).cause?.message;
      throw new Error(
        `cannot reach a chain node at ${endpoint}: ${(error as Error).message}${cause ? ` (${cause})` : ""}`,
      );
    }
  }

  disconnect(): void {
    this.comet.disconnect();
  }

  async chainId(): Promise<string> {
    this.cachedChainId ??= (await this.comet.status()).nodeInfo.network;
    return this.cachedChainId;
  }

  /** Runs an abci_query and parses its JSON answer. */
  async queryJson(path: string): Promise<unknown> {
    const answer = await this.comet.abciQuery({ path, data: new Uint8Array() });
    if ((answer.code ?? 0) !== 0) throw new ChainQueryError(path, answer.code ?? 0, answer.log ?? "");
    return JSON.parse(decoder.decode(answer.value)) as unknown;
  }

  /** The raw bytes of one stored record, or undefined when the chain says it does not exist. */
  async queryRecord(path: string): Promise<Uint8Array | undefined> {
    const answer = await this.comet.abciQuery({ path, data: new Uint8Array() });
    const code = answer.code ?? 0;
    if (code === ResultCode.NOT_FOUND) return undefined;
    if (code !== 0) throw new ChainQueryError(path, code, answer.log ?? "");
    return answer.value;
  }

  /**
   * Queries a single state record with a Merkle proof and checks it against the app hash in the header of the
   * next block (which commits to this height's state). The header itself is trusted from the node. A record that
   * left state into the node's archive is proven at the last height it was in state (`archived`).
   */
  async queryProven(path: string): Promise<ProvenRecord> {
    const answer = await this.comet.abciQuery({ path, data: new Uint8Array(), prove: true });
    if ((answer.code ?? 0) !== 0) throw new ChainQueryError(path, answer.code ?? 0, answer.log ?? "");
    const height = answer.height ?? 0;
    const appHash = await this.appHashAfter(height);
    await verifyStateProof({ key: answer.key, value: answer.value, proofOps: answer.proof }, appHash);
    return {
      value: answer.value.length === 0 ? null : (JSON.parse(decoder.decode(answer.value)) as unknown),
      height,
      appHash: Buffer.from(appHash).toString("hex"),
      archived: answer.info.startsWith(ARCHIVED_INFO_PREFIX),
    };
  }

  /**
   * The app hash of the state after block `height`, from block height+1's header, waiting for that block; or from
   * block `height`'s own header when it is the latest and has no txs: the app writes no state without txs, and an
   * idle chain makes no next block.
   */
  private async appHashAfter(height: number): Promise<Uint8Array> {
    const deadline = Date.now() + HEADER_WAIT_MS;
    for (;;) {
      const latest = (await this.comet.status()).syncInfo.latestBlockHeight;
      if (latest > height) return (await this.comet.block(height + 1)).block.header.appHash;
      const { block } = await this.comet.block(height);
      if (block.txs.length === 0 && block.evidence.length === 0) return block.header.appHash;
      if (Date.now() > deadline)
        throw new Error(`block ${height + 1} did not appear within ${HEADER_WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async account(address: string): Promise<AccountView> {
    return toAccountView(
      (await this.queryJson(`/account/${getAddress(address)}`)) as Record<string, unknown>,
    );
  }

  async validators(): Promise<ValidatorView[]> {
    return ((await this.queryJson("/validators")) as Record<string, unknown>[]).map((v) =>
      toValidatorView(v),
    );
  }

  async validator(operator: string): Promise<ValidatorView> {
    const operatorLower = getAddress(operator).toLowerCase();
    const all = await this.validators();
    const found = all.find((v) => v.operator === operatorLower);
    if (!found) {
      throw new ChainQueryError(
        `/validator/${operatorLower}`,
        ResultCode.NOT_FOUND,
        `${operatorLower} is not a registered validator`,
      );
    }
    return found;
  }

  async params(): Promise<ParamsView> {
    return (await this.queryJson("/params")) as ParamsView;
  }

  async supply(): Promise<bigint> {
    return BigInt(((await this.queryJson("/supply")) as { amount: string }).amount);
  }

  async stakingPosition(address: string): Promise<StakingPositionView> {
    return toStakingPositionView(
      (await this.queryJson(`/staking/${getAddress(address)}`)) as Record<string, unknown>,
    );
  }

  /** The nonce the next transaction from `address` must carry, counting this client's uncommitted ones. */
  async nextNonce(address: string): Promise<number> {
    const key = address.toLowerCase();
    const onChain = (await this.account(address)).nonce;
    return Math.max(onChain, this.pendingNonces.get(key) ?? 0);
  }

  async sign<T>(
    signer: TypedDataSigner,
    spec: MessageSpec<T>,
    message: T,
    nonce?: number,
  ): Promise<{ tx: Uint8Array; nonce: number }> {
    const from = await signer.getAddress();
    const use = nonce ?? (await this.nextNonce(from));
    return { tx: await signTx(signer, await this.chainId(), spec, message, use), nonce: use };
  }

  /**
   * Broadcasts signed bytes; a refusal throws ChainTxError with the chain's code and log, and a node that sheds load
   * (OVERLOADED, or CometBFT's "mempool is full") throws ChainOverloadedError, which says when to send it again.
   */
  async broadcast(tx: Uint8Array, mode: BroadcastMode = "commit", nonce = -1): Promise<TxOutcome> {
    const hash = txHash(tx);
    const shedAsOverloaded = (error: unknown): never => {
      throw overloadFromRpcError(error instanceof Error ? error.message : String(error), hash) ?? error;
    };
    if (mode === "sync") {
      const r = await this.comet.broadcastTxSync({ tx }).catch(shedAsOverloaded);
      if (r.code !== 0) throw checkTxRefusal(r.code, r.log ?? "", hash);
      return { hash, code: 0, log: r.log ?? "", nonce, events: [] };
    }
    const r = await this.comet.broadcastTxCommit({ tx }).catch(shedAsOverloaded);
    if (r.checkTx.code !== 0) throw checkTxRefusal(r.checkTx.code, r.checkTx.log ?? "", hash);
    const result = r.txResult;
    if (!result) throw new Error(`transaction ${hash}: the node returned no block result`);
    const events = result.events.map((e) => ({
      type: e.type,
      attributes: e.attributes.map((a) => ({ key: a.key, value: a.value })),
    }));
    if (result.code !== 0) throw new ChainTxError(result.code, result.log ?? "", "block", hash);
    return { hash, height: r.height, code: 0, log: result.log ?? "", nonce, events };
  }

  /**
   * `broadcast_tx_sync` of each tx, in order, in one JSON-RPC batch (CometBFT answers a batch's calls one after
   * another; its default `max_request_batch_size` is 10). Per tx: undefined when CheckTx admitted it, a
   * ChainTxError when it refused it (ChainOverloadedError when the node shed it: OVERLOADED or "mempool is full"),
   * an Error for any other answer. Throws when the batch itself failed.
   */
  async broadcastBatch(txs: readonly Uint8Array[]): Promise<(Error | undefined)[]> {
    const url = this.endpoint.replace(/^ws(s?):/, "http$1:").replace(/\/websocket$/, "");
    const body = txs.map((tx, id) => ({
      jsonrpc: "2.0",
      id,
      method: "broadcast_tx_sync",
      params: { tx: Buffer.from(tx).toString("base64") },
    }));
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`broadcast batch: HTTP ${response.status} from ${url}`);
    const answered = (await response.json()) as unknown;
    // CometBFT answers a batch of one with the bare response, not a one-element array.
    const answers = Array.isArray(answered) ? answered : [answered];
    const byId = new Map((answers as BatchAnswer[]).map((answer) => [Number(answer.id), answer] as const));
    return txs.map((tx, id) => {
      const answer = byId.get(id);
      if (answer === undefined) return new Error(`broadcast batch: no answer for transaction ${id}`);
      if (answer.error !== undefined) {
        const message = `${answer.error.message}${answer.error.data ? `: ${answer.error.data}` : ""}`;
        return overloadFromRpcError(message, txHash(tx)) ?? new Error(message);
      }
      const code = Number(answer.result?.code ?? 0);
      return code === 0 ? undefined : checkTxRefusal(code, answer.result?.log ?? "", txHash(tx));
    });
  }

  /**
   * Signs with the next nonce, broadcasts, and tracks the nonce so back-to-back submissions work. When CheckTx
   * refuses the nonce (another client with the key took it first, or a tx before it was lost) nothing was executed:
   * it is signed again with the nonce the refusal names, a few times, unless the caller chose the nonce.
   */
  async submit<T>(
    signer: TypedDataSigner,
    spec: MessageSpec<T>,
    message: T,
    options: SubmitOptions = {},
  ): Promise<TxOutcome> {
    const from = (await signer.getAddress()).toLowerCase();
    for (let attempt = 1; ; attempt++) {
      const { tx, nonce } = await this.sign(signer, spec, message, options.nonce);
      try {
        const outcome = await this.broadcast(tx, options.mode ?? "commit", nonce);
        this.pendingNonces.set(from, nonce + 1);
        return outcome;
      } catch (error) {
        // A nonce refusal names the next nonce counting the mempool (the committed one may still lag behind it).
        const named =
          error instanceof ChainTxError && error.stage === "check" ? error.namedNextNonce : undefined;
        if (error instanceof ChainTxError && error.stage === "block") this.pendingNonces.set(from, nonce + 1);
        else if (named !== undefined) this.pendingNonces.set(from, named);
        else this.pendingNonces.delete(from);
        if (named === undefined || options.nonce !== undefined || attempt >= NONCE_ATTEMPTS) throw error;
      }
    }
  }

  transfer(signer: TypedDataSigner, to: string, amount: bigint, options?: SubmitOptions): Promise<TxOutcome> {
    return this.submit(signer, TransferMsg, { to, amount }, options);
  }

  registerValidator(
    signer: TypedDataSigner,
    message: RegisterValidator,
    options?: SubmitOptions,
  ): Promise<TxOutcome> {
    return this.submit(signer, RegisterValidatorMsg, message, options);
  }

  lend(
    signer: TypedDataSigner,
    validator: string,
    amount: bigint,
    options?: SubmitOptions,
  ): Promise<TxOutcome> {
    return this.submit(signer, LendMsg, { validator, amount }, options);
  }

  vote(signer: TypedDataSigner, validators: string[], options?: SubmitOptions): Promise<TxOutcome> {
    return this.submit(signer, VoteMsg, { validators }, options);
  }

  unbond(
    signer: TypedDataSigner,
    validator: string,
    amount: bigint,
    options?: SubmitOptions,
  ): Promise<TxOutcome> {
    return this.submit(signer, UnbondMsg, { validator, amount }, options);
  }

  unjail(signer: TypedDataSigner, options?: SubmitOptions): Promise<TxOutcome> {
    return this.submit(signer, UnjailMsg, {}, options);
  }
}
