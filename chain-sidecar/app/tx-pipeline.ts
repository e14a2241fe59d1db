// One transaction through the chain: size, decoding, chain id, signature, then the ante step (nonce, fee) and its message.
import type { Logger } from "pino";
import { bankParams } from "../modules/bank/bank-params.js";
import type { BlockInfo, ChainEvent } from "../modules/exec-context.js";
import { TxContext } from "../modules/exec-context.js";
import type { ModuleRegistry } from "../modules/module-registry.js";
import { readParams } from "../modules/params/params-keeper.js";
import type { StateOverlay } from "../state/state-overlay.js";
import type { StateReader } from "../state/state-access.js";
import { decodeTx, txHash, type DecodedTx } from "../tx/envelope.js";
import { ResultCode } from "../tx/result-codes.js";
import type { SignatureCache } from "../tx/signature-cache.js";
import { TxError } from "../tx/tx-error.js";

export interface TxResult {
  readonly code: number;
  readonly log: string;
  readonly events: readonly ChainEvent[];
  readonly sender?: string;
  readonly hash?: string;
}

/** `check`: all or nothing (CheckTx, PrepareProposal). `deliver`: a failed message still pays its fee and uses its nonce. */
export type RunMode = "check" | "deliver";

export class TxPipeline {
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly signatures: SignatureCache,
    private readonly logger: Logger,
  ) {}

  /**
   * The checks that need no state beyond the chain's identity and limits; throws TxError. `last`: the transaction is
   * being delivered, so the remembered verdict is not needed again.
   */
  verify(
    bytes: Uint8Array,
    chainId: string,
    maxTxBytes: number,
    last = false,
  ): { tx: DecodedTx; sender: string } {
    if (bytes.length > maxTxBytes) {
      throw new TxError(ResultCode.OVERSIZE, `tx: ${bytes.length} bytes exceeds maxTxBytes ${maxTxBytes}`);
    }
    const hash = txHash(bytes);
    const known = last ? this.signatures.take(hash) : this.signatures.lookup(hash);
    const tx = known?.tx ?? decodeTx(bytes, this.registry.catalog, hash);
    if (tx.chainId !== chainId) {
      throw new TxError(
        ResultCode.WRONG_CHAIN_ID,
        `tx.chainId: ${JSON.stringify(tx.chainId)} is not this chain (${JSON.stringify(chainId)})`,
      );
    }
    if (!known) return { tx, sender: this.signatures.verify(tx, !last) };
    if ("error" in known) throw known.error;
    return { tx, sender: known.sender };
  }

  /** Stateless verification against the limits in `state`. */
  verifyAgainst(state: StateReader, bytes: Uint8Array, chainId: string): { tx: DecodedTx; sender: string } {
    return this.verify(bytes, chainId, readParams(state, bankParams).maxTxBytes);
  }

  run(state: StateOverlay, block: BlockInfo, bytes: Uint8Array, mode: RunMode): TxResult {
    let verified: { tx: DecodedTx; sender: string };
    const params = readParams(state, bankParams);
    try {
      verified = this.verify(bytes, block.chainId, params.maxTxBytes, mode === "deliver");
    } catch (error) {
      return this.failure(error);
    }
    const { tx, sender } = verified;
    // The ante step's writes are kept apart until it passes. Then, in deliver mode, they are kept whatever the message
    // does; in check mode the message writes beside them, and a failed message drops both (all or nothing).
    const anteState = state.branch();
    try {
      this.registry.ante.chargeTx(anteState, sender, tx.nonce, params.txFee);
    } catch (error) {
      return this.failure(error, tx, sender);
    }
    const handler = this.registry.handler(tx.spec.typeId);
    if (!handler)
      return this.failure(
        new TxError(ResultCode.UNKNOWN_TYPE, `tx.type: no handler for ${tx.spec.primaryType}`),
        tx,
        sender,
      );
    let messageState = anteState;
    if (mode === "deliver") {
      anteState.mergeInto(state);
      messageState = state.branch();
    }
    const ctx = new TxContext(messageState, block, sender, tx.hash);
    try {
      handler.handle(ctx, tx.message);
    } catch (error) {
      return this.failure(error, tx, sender);
    }
    messageState.mergeInto(state);
    // Check mode answers admission only: CheckTx and PrepareProposal read the code, never the events.
    if (mode === "check") return { code: ResultCode.OK, log: "", events: [], sender, hash: tx.hash };
    const summary: ChainEvent = {
      type: "tx",
      attributes: [
        ["sender", sender],
        ["nonce", String(tx.nonce)],
        ["type", tx.spec.primaryType],
      ],
    };
    return { code: ResultCode.OK, log: "", events: [summary, ...ctx.events], sender, hash: tx.hash };
  }

  private failure(error: unknown, tx?: DecodedTx, sender?: string): TxResult {
    const base = { events: [], ...(sender ? { sender } : {}), ...(tx ? { hash: tx.hash } : {}) };
    if (error instanceof TxError) return { ...base, code: error.code, log: error.log };
    this.logger.error({ err: error, tx: tx?.hash }, "transaction handler failed unexpectedly");
    return { ...base, code: ResultCode.INTERNAL, log: `INTERNAL: ${(error as Error).message}` };
  }
}
