// Routes one ABCI request to the application, or answers it here when the application has no part in it.
import type { Mutex } from "async-mutex";
import {
  Response,
  ResponseApplySnapshotChunk_Result,
  ResponseOfferSnapshot_Result,
  ResponseVerifyVoteExtension_VerifyStatus,
  type Request,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "./application.js";

export type RequestKind = keyof Request;

/** The single field set in a request's oneof, or an error naming what is wrong with it. */
export function requestKind(request: Request): RequestKind {
  const set = (Object.keys(request) as RequestKind[]).filter((key) => request[key] !== undefined).sort();
  if (set.length !== 1) {
    throw new Error(
      set.length === 0
        ? "ABCI request carries no known method"
        : `ABCI request carries ${set.length} methods at once (${set.join(", ")})`,
    );
  }
  return set[0]!;
}

/**
 * Answers `request`. Calls that change or depend on uncommitted state run under `appLock`, shared by all
 * connections, so a Commit on the consensus connection never interleaves with a CheckTx on the mempool
 * connection. Query reads committed state only and may wait for a Commit (proofs need a committed root),
 * so it must not hold the lock that Commit needs.
 */
export async function dispatchRequest(
  app: AbciApplication,
  appLock: Mutex,
  request: Request,
): Promise<Response> {
  const kind = requestKind(request);
  const locked = <T>(call: () => Promise<T>): Promise<T> => appLock.runExclusive(call);
  switch (kind) {
    case "echo":
      return Response.fromPartial({ echo: { message: request.echo!.message } });
    case "flush":
      return Response.fromPartial({ flush: {} });
    case "info":
      return Response.fromPartial({ info: await locked(() => app.info(request.info!)) });
    case "initChain":
      return Response.fromPartial({ initChain: await locked(() => app.initChain(request.initChain!)) });
    case "query":
      return Response.fromPartial({ query: await app.query(request.query!) });
    case "checkTx":
      return Response.fromPartial({ checkTx: await locked(() => app.checkTx(request.checkTx!)) });
    case "commit":
      return Response.fromPartial({ commit: await locked(() => app.commit(request.commit!)) });
    case "prepareProposal":
      return Response.fromPartial({
        prepareProposal: await locked(() => app.prepareProposal(request.prepareProposal!)),
      });
    case "processProposal":
      return Response.fromPartial({
        processProposal: await locked(() => app.processProposal(request.processProposal!)),
      });
    case "finalizeBlock":
      return Response.fromPartial({
        finalizeBlock: await locked(() => app.finalizeBlock(request.finalizeBlock!)),
      });
    // An application without snapshots declines state sync, and peers are left to block sync.
    // Serving snapshots reads files only; restoring changes state, so it runs under the lock.
    case "listSnapshots":
      return Response.fromPartial({
        listSnapshots: app.listSnapshots ? await app.listSnapshots() : { snapshots: [] },
      });
    case "offerSnapshot":
      return Response.fromPartial({
        offerSnapshot: app.offerSnapshot
          ? await locked(() => app.offerSnapshot!(request.offerSnapshot!))
          : { result: ResponseOfferSnapshot_Result.ABORT },
      });
    case "loadSnapshotChunk":
      return Response.fromPartial({
        loadSnapshotChunk: app.loadSnapshotChunk
          ? await app.loadSnapshotChunk(request.loadSnapshotChunk!)
          : { chunk: new Uint8Array() },
      });
    case "applySnapshotChunk":
      return Response.fromPartial({
        applySnapshotChunk: app.applySnapshotChunk
          ? await locked(() => app.applySnapshotChunk!(request.applySnapshotChunk!))
          : { result: ResponseApplySnapshotChunk_Result.ABORT, refetchChunks: [], rejectSenders: [] },
      });
    // Vote extensions are off in our consensus params; if enabled they carry nothing and are accepted.
    case "extendVote":
      return Response.fromPartial({ extendVote: { voteExtension: new Uint8Array() } });
    case "verifyVoteExtension":
      return Response.fromPartial({
        verifyVoteExtension: { status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT },
      });
  }
}
