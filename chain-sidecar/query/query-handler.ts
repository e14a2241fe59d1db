// Answers abci_query: routes the path to a module's querier over committed state and attaches proofs when asked.
import { ResponseQuery, type RequestQuery } from "cosmjs-types/tendermint/abci/types";
import { COMETBFT_MAX_ANSWER_BYTES } from "../abci/answer-limit.js";
import type { ModuleRegistry } from "../modules/module-registry.js";
import { decodeRecord, encodeRecord, type JsonValue } from "../state/canonical-json.js";
import type { StateReader } from "../state/state-access.js";
import { CODESPACE, ResultCode } from "../tx/result-codes.js";
import { TxError } from "../tx/tx-error.js";
import { ARCHIVED_INFO_PREFIX, toProofOps } from "./state-proof.js";

export interface QuerySource {
  readonly state: StateReader;
  readonly height: number;
  /** Time of the block at `height`, which views computed "now" (such as PoC scores) are computed at. */
  readonly timeMs: number;
  /** The committed value of `stateKey` with the trie nodes proving it, read together at one height. */
  prove(stateKey: string): Promise<{ value: Uint8Array | undefined; nodes: Uint8Array[]; height: number }>;
  /** A record that left consensus state into this node's archive, with the height and app hash it was last under. */
  archived?(stateKey: string): { value: Uint8Array; height: number; appHash: string } | undefined;
  /** The archived record with the trie nodes proving it at its height; throws when the archive kept no proof. */
  archivedProof?(stateKey: string): { value: Uint8Array; height: number; nodes: Uint8Array[] } | undefined;
  /** Views served from the node's own archive (paths under /archive/, no proofs); undefined for other paths. */
  archiveView?(path: string): JsonValue | undefined;
}

function archivedWithProof(
  source: QuerySource,
  stateKey: string,
): { value: Uint8Array; height: number; nodes: Uint8Array[] } | undefined {
  try {
    return source.archivedProof?.(stateKey);
  } catch (error) {
    throw new TxError(ResultCode.PROOF_UNAVAILABLE, `prove: ${(error as Error).message}`);
  }
}

function errorAnswer(error: TxError, height: number): ResponseQuery {
  return {
    code: error.code,
    log: error.log,
    info: "",
    index: 0n,
    key: new Uint8Array(),
    value: new Uint8Array(),
    height: BigInt(height),
    codespace: CODESPACE,
  };
}

/** The largest query answer sent, in encoded bytes: what CometBFT takes, less gRPC's 5-byte message frame. */
export const MAX_QUERY_ANSWER_BYTES = COMETBFT_MAX_ANSWER_BYTES - 5;

/** The answer to `request`, or ANSWER_TOO_LARGE naming its size where it would be more than `maxBytes` encoded. */
export async function answerQuery(
  registry: ModuleRegistry,
  source: QuerySource,
  request: RequestQuery,
  maxBytes = MAX_QUERY_ANSWER_BYTES,
): Promise<ResponseQuery> {
  const answer = await answerUnbounded(registry, source, request);
  const bytes = ResponseQuery.encode(answer).finish().length;
  if (bytes <= maxBytes) return answer;
  const error = new TxError(
    ResultCode.ANSWER_TOO_LARGE,
    `${request.path}: the answer takes ${bytes} bytes, more than the ${maxBytes} a query answer may; ` +
      "ask for a page or a narrower path",
  );
  return errorAnswer(error, source.height);
}

async function answerUnbounded(
  registry: ModuleRegistry,
  source: QuerySource,
  request: RequestQuery,
): Promise<ResponseQuery> {
  const height = source.height;
  try {
    const archiveView = source.archiveView?.(request.path);
    if (archiveView !== undefined) {
      if (request.prove)
        throw new TxError(
          ResultCode.PROOF_UNAVAILABLE,
          `prove: ${request.path} is this node's archive, not state`,
        );
      return {
        code: ResultCode.OK,
        log: "",
        info: "",
        index: 0n,
        key: new Uint8Array(),
        value: encodeRecord(archiveView),
        height: BigInt(height),
        codespace: "",
      };
    }
    const match = registry.matchQuery(request.path);
    if (!match) {
      const known = registry
        .queryRoutes()
        .map((r) => r.path)
        .join(", ");
      throw new TxError(
        ResultCode.NOT_FOUND,
        `path: unknown query path ${JSON.stringify(request.path)}; known: ${known}`,
      );
    }
    if (request.height !== 0n && request.height !== BigInt(height)) {
      throw new TxError(
        ResultCode.HEIGHT_UNAVAILABLE,
        `height: only the latest committed height ${height} is served, not ${request.height}`,
      );
    }
    const answer = match.route.answer(source.state, match.params, { height, timeMs: source.timeMs });
    const base: ResponseQuery = {
      code: ResultCode.OK,
      log: "",
      info: "",
      index: 0n,
      key: new Uint8Array(),
      value: new Uint8Array(),
      height: BigInt(height),
      codespace: "",
    };
    if (answer.kind === "view") {
      if (request.prove) {
        throw new TxError(
          ResultCode.PROOF_UNAVAILABLE,
          `prove: ${request.path} is computed from many keys and has no proof`,
        );
      }
      return { ...base, value: encodeRecord(answer.value) };
    }
    const key = new TextEncoder().encode(answer.stateKey);
    if (request.prove) {
      const proven = await source.prove(answer.stateKey);
      // A record gone from state but archived is proven where it last was: at its height, against that app hash.
      const archived = proven.value === undefined ? archivedWithProof(source, answer.stateKey) : undefined;
      const shown = archived ?? proven;
      return {
        ...base,
        key,
        value: shown.value ?? new Uint8Array(),
        proofOps: toProofOps(answer.stateKey, shown.nodes),
        height: BigInt(shown.height),
        info:
          archived === undefined ? "" : `${ARCHIVED_INFO_PREFIX} in state up to height ${archived.height}`,
      };
    }
    const stored = source.state.get(answer.stateKey);
    const archived = stored ? undefined : source.archived?.(answer.stateKey);
    if (archived !== undefined) {
      // Marked as archived, with where to check it: its last committed height and that height's app hash.
      const record = decodeRecord(archived.value) as Record<string, JsonValue>;
      const marked = { ...record, archived: { height: archived.height, appHash: archived.appHash } };
      return { ...base, key, value: encodeRecord(marked) };
    }
    if (!stored && answer.missing !== undefined)
      throw new TxError(ResultCode.NOT_FOUND, `${request.path}: ${answer.missing}`);
    return { ...base, key, value: stored ?? encodeRecord(answer.fallback ?? null) };
  } catch (error) {
    if (error instanceof TxError) return errorAnswer(error, height);
    throw error;
  }
}
