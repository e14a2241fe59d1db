// The boundary between the ABCI transports (CometBFT socket, solo producer) and the state machine.
import type {
  RequestApplySnapshotChunk,
  RequestCheckTx,
  RequestCommit,
  RequestFinalizeBlock,
  RequestInfo,
  RequestInitChain,
  RequestLoadSnapshotChunk,
  RequestOfferSnapshot,
  RequestPrepareProposal,
  RequestProcessProposal,
  RequestQuery,
  ResponseApplySnapshotChunk,
  ResponseCheckTx,
  ResponseCommit,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseInitChain,
  ResponseListSnapshots,
  ResponseLoadSnapshotChunk,
  ResponseOfferSnapshot,
  ResponsePrepareProposal,
  ResponseProcessProposal,
  ResponseQuery,
} from "cosmjs-types/tendermint/abci/types";

/**
 * An ABCI 2.0 application. Transports call these in CometBFT's order; a method that throws is a
 * fault of the application, and the transport turns it into a logged, clear process exit.
 * Vote-extension calls, and snapshot calls of an application without snapshots, are answered by the transport.
 */
export interface AbciApplication {
  info(request: RequestInfo): Promise<ResponseInfo>;
  initChain(request: RequestInitChain): Promise<ResponseInitChain>;
  checkTx(request: RequestCheckTx): Promise<ResponseCheckTx>;
  prepareProposal(request: RequestPrepareProposal): Promise<ResponsePrepareProposal>;
  processProposal(request: RequestProcessProposal): Promise<ResponseProcessProposal>;
  finalizeBlock(request: RequestFinalizeBlock): Promise<ResponseFinalizeBlock>;
  commit(request: RequestCommit): Promise<ResponseCommit>;
  query(request: RequestQuery): Promise<ResponseQuery>;
  /** State sync, serving side: the snapshots this app holds and their chunks. */
  listSnapshots?(): Promise<ResponseListSnapshots>;
  loadSnapshotChunk?(request: RequestLoadSnapshotChunk): Promise<ResponseLoadSnapshotChunk>;
  /** State sync, restoring side: a snapshot CometBFT offers with the app hash its light client trusts, then its chunks. */
  offerSnapshot?(request: RequestOfferSnapshot): Promise<ResponseOfferSnapshot>;
  applySnapshotChunk?(request: RequestApplySnapshotChunk): Promise<ResponseApplySnapshotChunk>;
}
