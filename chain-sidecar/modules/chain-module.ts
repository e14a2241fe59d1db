// The shape of a chain module: a keeper owning a key prefix, thin message handlers, queriers, genesis and block hooks.
import type { MessageSpec } from "../tx/message-spec.js";
import type { JsonValue } from "../state/canonical-json.js";
import type { StateReader, StateWriter } from "../state/state-access.js";
import type { ExecContext, TxContext } from "./exec-context.js";
import type { ParamSection } from "./params/param-section.js";

export interface MessageHandler<T> {
  readonly spec: MessageSpec<T>;
  handle(ctx: TxContext, message: T): void;
}

/** Pairs a message spec with its handler so the message type flows into the handler's argument. */
export function handles<T>(
  spec: MessageSpec<T>,
  handle: (ctx: TxContext, message: T) => void,
): MessageHandler<unknown> {
  return { spec, handle };
}

/**
 * A query's answer. A `record` is one state key returned as stored (so it can carry a Merkle proof);
 * `fallback` is returned, unproven, when the key is absent. A `view` is computed from many keys.
 */
export type QueryAnswer =
  | { kind: "record"; stateKey: string; fallback?: JsonValue; missing?: string }
  | { kind: "view"; value: JsonValue };

/** The last committed block, which a query sees state as of (it is not in state: empty blocks write nothing). */
export interface QueryBlock {
  readonly height: number;
  readonly timeMs: number;
}

export interface QueryRoute {
  /** A path pattern such as `/account/:address`. */
  readonly path: string;
  readonly describe: string;
  answer(state: StateReader, params: Readonly<Record<string, string>>, block: QueryBlock): QueryAnswer;
}

/** Where a provable query's record lives, and what to answer when it is absent. */
export type RecordLocation = Omit<Extract<QueryAnswer, { kind: "record" }>, "kind">;

/** A query answered by one stored record, found from the path's parameters (so it can carry a Merkle proof). */
export function recordQuery(
  path: string,
  describe: string,
  locate: (params: Readonly<Record<string, string>>) => RecordLocation,
): QueryRoute {
  return { path, describe, answer: (_state, params) => ({ kind: "record", ...locate(params) }) };
}

export type MisbehaviorKind = "duplicate_vote" | "light_client_attack" | "unknown";

export interface BlockStart {
  readonly misbehavior: readonly { kind: MisbehaviorKind; consensusAddress: string; height: number }[];
  /** Votes of the last committed block: who was expected to sign and whether they did. */
  readonly lastCommit: readonly { consensusAddress: string; signed: boolean }[];
}

export interface ConsensusUpdate {
  /** ed25519 public key, 32 bytes. */
  readonly pubKey: Uint8Array;
  /** 0 removes the validator. */
  readonly power: bigint;
}

/** The ante step every transaction passes before its message: the next nonce and the fee (the app's bank keeper). */
export interface TxAnte {
  chargeTx(state: StateWriter, sender: string, nonce: number, fee: bigint): void;
}

export interface ChainModule {
  readonly name: string;
  readonly params?: ParamSection<object>;
  readonly messages?: readonly MessageHandler<unknown>[];
  readonly queries?: readonly QueryRoute[];
  /** Reads this module's part of the genesis app_state (already parsed JSON). */
  initGenesis?(ctx: ExecContext, appState: Readonly<Record<string, unknown>>): void;
  beginBlock?(ctx: ExecContext, start: BlockStart): void;
  /** May return consensus validator changes; at most one module should. */
  endBlock?(ctx: ExecContext): readonly ConsensusUpdate[] | undefined;
  /** Changes to the CometBFT validator set decided at genesis. */
  genesisValidators?(ctx: ExecContext): readonly ConsensusUpdate[];
}
