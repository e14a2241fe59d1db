// Proofs in query answers: one ProofOp carrying the trie nodes from the app hash down to the state key.
import { decodeRlp, encodeRlp, getBytes, hexlify } from "ethers";
import type { ProofOps } from "cosmjs-types/tendermint/crypto/proof";
import { verifyTrieProof } from "../state/merkle-trie.js";

/** Merkle Patricia trie (as @ethereumjs/mpt builds it) with sha256 node hashes and keyPath paths; data is RLP of the proof nodes. */
export const STATE_PROOF_TYPE = "uranus:mpt-sha256-family";

/** How a proven answer's info starts when the record left state and is proven from the node's archive. */
export const ARCHIVED_INFO_PREFIX = "archived:";

export function toProofOps(stateKey: string, nodes: readonly Uint8Array[]): ProofOps {
  return {
    ops: [
      {
        type: STATE_PROOF_TYPE,
        key: new TextEncoder().encode(stateKey),
        data: getBytes(encodeRlp(nodes.map((n) => hexlify(n)))),
      },
    ],
  };
}

export interface ProvenAnswer {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly proofOps?: { readonly ops: readonly { type: string; key: Uint8Array; data: Uint8Array }[] };
}

/**
 * Checks that `answer.value` is what the state held under `answer.key` at `appHash` (an empty value must be a
 * proof of absence). Throws an error saying what does not match.
 */
export async function verifyStateProof(answer: ProvenAnswer, appHash: Uint8Array): Promise<void> {
  const ops = answer.proofOps?.ops ?? [];
  if (ops.length !== 1) throw new Error(`proof: expected exactly one proof op, got ${ops.length}`);
  const op = ops[0]!;
  if (op.type !== STATE_PROOF_TYPE) throw new Error(`proof: unknown proof type ${op.type}`);
  if (Buffer.compare(op.key, answer.key) !== 0) throw new Error("proof: the proof is for a different key");
  const decoded = decodeRlp(op.data);
  if (typeof decoded === "string" || decoded.some((n) => typeof n !== "string")) {
    throw new Error("proof: data is not a list of trie nodes");
  }
  const nodes = (decoded as string[]).map((n) => getBytes(n));
  const stateKey = new TextDecoder().decode(answer.key);
  let proven: Uint8Array | null;
  try {
    proven = await verifyTrieProof(appHash, stateKey, nodes);
  } catch (error) {
    throw new Error(
      `proof: does not verify against app hash ${hexlify(appHash)}: ${(error as Error).message}`,
    );
  }
  if (proven === null) {
    if (answer.value.length !== 0)
      throw new Error(`proof: shows ${stateKey} absent, but a value was returned`);
    return;
  }
  if (Buffer.compare(proven, answer.value) !== 0)
    throw new Error(`proof: the proven value of ${stateKey} differs from the answer`);
}
