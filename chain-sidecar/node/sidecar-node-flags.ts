// The Node flags the sidecar runs with, wherever it is started (the testnet, the demo, its container's NODE_OPTIONS).
// A block's transactions live from CheckTx to FinalizeBlock: a young generation that holds a few blocks of them lets
// them die there, instead of being copied between semi-spaces and promoted. solo.ts, in interleaved pairs of runs:
// 0.45–0.49 of bare verify with V8's default 16 MB semi-spaces, 0.50–0.53 with 64 MB. The young generation grows
// that large only under load.
export const SIDECAR_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=64"];
