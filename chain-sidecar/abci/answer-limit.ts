// CometBFT's gRPC ABCI client (grpc-go) takes answers of at most its default receive size: past it, a query fails with
// a transport error that names nothing, and a FinalizeBlock answer stops the node.
export const COMETBFT_MAX_ANSWER_BYTES = 4 * 1024 * 1024;
