// The boundary between the ABCI transports (CometBFT socket, solo producer) and the state machine.
import type {
  RequestCheckTx,
  RequestCommit,
  RequestFinalizeBlock,
  RequestInfo,
  RequestInitChain,
  RequestPrepareProposal,
  RequestProcessProposal,
  RequestQuery,
  ResponseCheckTx,
  ResponseCommit,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseInitChain,
  ResponsePrepareProposal,
  ResponseProcessProposal,
  ResponseQuery,
} from "cosmjs-types/tendermint/abci/types";

/**
 * An ABCI 2.0 application. Transports call these in CometBFT's order; a method that throws is a
 * fault of the application, and the transport turns it into a logged, clear process exit.
 * Snapshot and vote-extension calls are answered by the transport with empty responses.
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
}
