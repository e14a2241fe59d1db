// Translations between cosmjs-types ABCI messages and the modules' plain types.
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import {
  MisbehaviorType,
  ResponseCheckTx,
  type Event,
  type ExecTxResult,
  type RequestFinalizeBlock,
  type ValidatorUpdate,
} from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import type { BlockStart, ConsensusUpdate, MisbehaviorKind } from "../modules/chain-module.js";
import type { ChainEvent } from "../modules/exec-context.js";
import { CODESPACE, ResultCode } from "../tx/result-codes.js";

// Every admitted transaction gets the same answer: one frozen object, not one built per CheckTx.
const CHECK_TX_OK: ResponseCheckTx = Object.freeze(ResponseCheckTx.fromPartial({ gasWanted: 1n }));

/** CheckTx's answer for a result code and log (refusals name the Uranus codespace). */
export function checkTxResponse(code: number, log: string): ResponseCheckTx {
  if (code === ResultCode.OK) return CHECK_TX_OK;
  return ResponseCheckTx.fromPartial({ code, log, codespace: CODESPACE, gasWanted: 1n });
}

export function toAbciEvents(events: readonly ChainEvent[]): Event[] {
  return events.map((e) => ({
    type: e.type,
    attributes: e.attributes.map(([key, value]) => ({ key, value, index: true })),
  }));
}

const NO_DATA = new Uint8Array(0);

/** A delivered transaction's result as FinalizeBlock answers it. */
export function toExecTxResult(result: {
  code: number;
  log: string;
  events: readonly ChainEvent[];
}): ExecTxResult {
  return {
    code: result.code,
    data: NO_DATA,
    log: result.log,
    info: "",
    gasWanted: 1n,
    gasUsed: 1n,
    events: toAbciEvents(result.events),
    codespace: result.code === ResultCode.OK ? "" : CODESPACE,
  };
}

export function toValidatorUpdates(updates: readonly ConsensusUpdate[]): ValidatorUpdate[] {
  return updates.map((u) => ({ pubKey: { ed25519: u.pubKey }, power: u.power }));
}

export function timestampToMs(time: Timestamp | undefined): number {
  if (!time) return 0;
  return Number(time.seconds) * 1000 + Math.floor(time.nanos / 1_000_000);
}

function misbehaviorKind(type: MisbehaviorType): MisbehaviorKind {
  if (type === MisbehaviorType.DUPLICATE_VOTE) return "duplicate_vote";
  if (type === MisbehaviorType.LIGHT_CLIENT_ATTACK) return "light_client_attack";
  return "unknown";
}

function hexAddress(bytes: Uint8Array | undefined): string {
  return Buffer.from(bytes ?? new Uint8Array())
    .toString("hex")
    .toUpperCase();
}

export function toBlockStart(request: RequestFinalizeBlock): BlockStart {
  return {
    misbehavior: request.misbehavior.map((m) => ({
      kind: misbehaviorKind(m.type),
      consensusAddress: hexAddress(m.validator.address),
      height: Number(m.height),
    })),
    lastCommit: request.decidedLastCommit.votes.map((vote) => ({
      consensusAddress: hexAddress(vote.validator.address),
      signed: vote.blockIdFlag !== BlockIDFlag.BLOCK_ID_FLAG_ABSENT,
    })),
  };
}
