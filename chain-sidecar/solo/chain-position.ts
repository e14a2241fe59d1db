// Where the solo chain stands after its last block (height, block id, results hash, the three validator sets), and
// the file that carries it across a restart, written atomically after every commit.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { BlockID } from "cosmjs-types/tendermint/types/types";
import { fromHex } from "./block-hashing.js";
import { ConsensusValidators, type SetMember } from "./consensus-validators.js";

export interface ChainPosition {
  height: bigint;
  blockId: BlockID;
  appHash: Uint8Array;
  resultsHash: Uint8Array;
  timeMillis: number;
  lastValidators: ConsensusValidators;
  validators: ConsensusValidators;
  nextValidators: ConsensusValidators;
}

interface SavedPosition {
  height: string;
  blockHash: string;
  partsHash: string;
  /** Absent in files written before blocks were split into 64 KiB parts, when there was always one. */
  partsTotal?: number;
  resultsHash: string;
  timeMillis: number;
  sets: { address: string; pubKey: string; power: string }[][];
}

export function savePosition(path: string, p: ChainPosition): void {
  const sets = [p.lastValidators, p.validators, p.nextValidators].map((set) =>
    set.members.map((m) => ({
      address: m.address,
      pubKey: Buffer.from(m.pubKey).toString("base64"),
      power: String(m.power),
    })),
  );
  const saved: SavedPosition = {
    height: String(p.height),
    blockHash: Buffer.from(p.blockId.hash).toString("hex"),
    partsHash: Buffer.from(p.blockId.partSetHeader.hash).toString("hex"),
    partsTotal: p.blockId.partSetHeader.total,
    resultsHash: Buffer.from(p.resultsHash).toString("hex"),
    timeMillis: p.timeMillis,
    sets,
  };
  writeFileSync(`${path}.tmp`, JSON.stringify(saved));
  renameSync(`${path}.tmp`, path);
}

/** What the file keeps: the position but its app hash, which the application reports itself. */
export type SavedPositionFields = Omit<ChainPosition, "appHash">;

export function loadPosition(path: string): SavedPositionFields | undefined {
  if (!existsSync(path)) return undefined;
  const saved = JSON.parse(readFileSync(path, "utf8")) as SavedPosition;
  const set = (members: SavedPosition["sets"][number] | undefined): ConsensusValidators =>
    new ConsensusValidators(
      (members ?? []).map((m): SetMember => ({
        address: m.address,
        pubKey: new Uint8Array(Buffer.from(m.pubKey, "base64")),
        power: BigInt(m.power),
      })),
    );
  return {
    height: BigInt(saved.height),
    blockId: {
      hash: fromHex(saved.blockHash),
      partSetHeader: { total: saved.partsTotal ?? 1, hash: fromHex(saved.partsHash) },
    },
    resultsHash: fromHex(saved.resultsHash),
    timeMillis: saved.timeMillis,
    lastValidators: set(saved.sets[0]),
    validators: set(saved.sets[1]),
    nextValidators: set(saved.sets[2]),
  };
}
