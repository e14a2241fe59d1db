// Drives the real Uranus modules over in-memory state without signatures or fees, for fast property tests:
// each message is round-tripped through the wire codec, handled in its own layer, and kept only if it succeeds.
import { createHash } from "node:crypto";
import { buildGenesisAppState, type GenesisInput } from "../../../../../chain-sidecar/genesis/app-state.js";
import {
  ExecContext,
  TxContext,
  type BlockInfo,
  type ChainEvent,
} from "../../../../../chain-sidecar/modules/exec-context.js";
import type { BlockStart } from "../../../../../chain-sidecar/modules/chain-module.js";
import { readAllContracts } from "../../../../../chain-sidecar/modules/market/market-keeper.js";
import { uranusRegistry } from "../../../../../chain-sidecar/modules/uranus-modules.js";
import { decodeRecord, type JsonValue } from "../../../../../chain-sidecar/state/canonical-json.js";
import type { StateEntry, StateReader } from "../../../../../chain-sidecar/state/state-access.js";
import { StateOverlay } from "../../../../../chain-sidecar/state/state-overlay.js";
import type { MessageSpec } from "../../../../../chain-sidecar/tx/message-spec.js";
import { ResultCode } from "../../../../../chain-sidecar/tx/result-codes.js";
import { TxError } from "../../../../../chain-sidecar/tx/tx-error.js";
import { decodeTyped, encodeTyped } from "../../../../../chain-sidecar/tx/typed-rlp.js";
import { auditState } from "../../state-audit.js";

export const GENESIS_TIME_MS = 1_700_000_000_000;

const empty: StateReader = { get: () => undefined, entries: (): StateEntry[] => [] };

export interface Delivered {
  code: number;
  log: string;
  events: readonly ChainEvent[];
  txHash: string;
}

/** A deterministic lowercase address from a label. */
export function address(label: string): string {
  return `0x${createHash("sha256").update(`address:${label}`).digest("hex").slice(0, 40)}`;
}

export class EconomyChain {
  readonly state = new StateOverlay(empty);
  height = 1;
  timeMs = GENESIS_TIME_MS + 1000;
  private txCount = 0;
  /** The last ended block, which queries see state as of. */
  private lastEnded = { height: 0, timeMs: GENESIS_TIME_MS };

  constructor(genesis: GenesisInput) {
    const appState = buildGenesisAppState(genesis);
    uranusRegistry.initGenesis(
      new ExecContext(this.state, { height: 0, chainId: "economy-test", timeMs: GENESIS_TIME_MS }),
      appState as unknown as Record<string, unknown>,
    );
    uranusRegistry.beginBlock(new ExecContext(this.state, this.block), { misbehavior: [], lastCommit: [] });
  }

  get block(): BlockInfo {
    return { height: this.height, chainId: "economy-test", timeMs: this.timeMs };
  }

  get seconds(): number {
    return Math.floor(this.timeMs / 1000);
  }

  /** Handles one message from `sender` in the current block; state changes are kept only on success. */
  deliver<T>(sender: string, spec: MessageSpec<T>, message: T): Delivered {
    this.txCount += 1;
    const txHash = createHash("sha256").update(`tx:${this.txCount}:${sender}`).digest("hex").toUpperCase();
    const layer = this.state.branch();
    const ctx = new TxContext(layer, this.block, sender, txHash);
    try {
      const wire = encodeTyped(spec.primaryType, message, spec.structs, spec.primaryType).item;
      const decoded = decodeTyped(spec.primaryType, wire, spec.structs, spec.primaryType);
      uranusRegistry.handler(spec.typeId)!.handle(ctx, decoded);
    } catch (error) {
      if (!(error instanceof TxError)) throw error;
      return { code: error.code, log: error.log, events: [], txHash };
    }
    layer.mergeInto(this.state);
    return { code: ResultCode.OK, log: "", events: ctx.events, txHash };
  }

  /** Like `deliver`, but throws unless the message succeeds. */
  ok<T>(sender: string, spec: MessageSpec<T>, message: T): Delivered {
    const result = this.deliver(sender, spec, message);
    if (result.code !== ResultCode.OK) throw new Error(`${spec.primaryType} failed: ${result.log}`);
    return result;
  }

  /** Ends the current block and starts the next one `seconds` later, with `lastCommit`'s votes; returns the end-of-block events. */
  endBlock(seconds = 1, lastCommit: BlockStart["lastCommit"] = []): ChainEvent[] {
    const end = new ExecContext(this.state, this.block);
    uranusRegistry.endBlock(end);
    this.lastEnded = { height: this.height, timeMs: this.timeMs };
    this.height += 1;
    this.timeMs += seconds * 1000;
    uranusRegistry.beginBlock(new ExecContext(this.state, this.block), { misbehavior: [], lastCommit });
    return end.events;
  }

  endBlocks(count: number, seconds = 1): ChainEvent[] {
    const events: ChainEvent[] = [];
    for (let i = 0; i < count; i++) events.push(...this.endBlock(seconds));
    return events;
  }

  /** Answers a query as abci_query would (without proofs); throws the TxError a client would see. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- callers name the JSON shape they expect
  query<T = JsonValue>(path: string): T {
    const match = uranusRegistry.matchQuery(path);
    if (!match) throw new Error(`no query route for ${path}`);
    const answer = match.route.answer(this.state, match.params, this.lastEnded);
    if (answer.kind === "view") return JSON.parse(JSON.stringify(answer.value)) as T;
    const bytes = this.state.get(answer.stateKey);
    if (!bytes) {
      if (answer.fallback !== undefined) return answer.fallback as T;
      throw new TxError(ResultCode.NOT_FOUND, `${path}: ${answer.missing ?? "absent"}`);
    }
    return decodeRecord(bytes) as T;
  }

  balance(owner: string): bigint {
    return BigInt(this.query<{ balance: string }>(`/account/${owner}`).balance);
  }
}

/** Every holding, including escrow held by contracts: the supply must equal it and nothing may be negative. */
export function auditEconomy(state: StateReader): { supply: bigint; held: bigint; negatives: string[] } {
  const base = auditState(state);
  let held = base.held;
  const negatives = [...base.negatives];
  for (const contract of readAllContracts(state)) {
    if (contract.escrow < 0n) negatives.push(`escrow of ${contract.id}`);
    held += contract.escrow;
  }
  return { supply: base.supply, held, negatives };
}
