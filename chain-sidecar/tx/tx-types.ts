// Transactions as other code sees them: the stable result codes, the tx hash and signing. How envelopes are
// encoded and checked stays internal to the chain.
export { CODESPACE, ResultCode, resultCodeName } from "./result-codes.js";
export { txHash } from "./envelope.js";
export { signTx, type TypedDataSigner } from "./signing.js";
export type { MessageSpec } from "./message-spec.js";
