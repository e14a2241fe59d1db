// Translations between cosmjs-types ABCI messages and the modules' plain types.
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import {
  MisbehaviorType,
  type Event,
  type RequestFinalizeBlock,
  type ValidatorUpdate,
} from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import type { BlockStart, ConsensusUpdate, MisbehaviorKind } from "../modules/chain-module.js";
import type { ChainEvent } from "../modules/exec-context.js";

export function toAbciEvents(events: readonly ChainEvent[]): Event[] {
  return events.map((e) => ({
    type: e.type,
    attributes: e.attributes.map(([key, value]) => ({ key, value, index: true })),
  }));
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
