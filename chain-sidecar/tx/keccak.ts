// keccak256 over bytes to bytes, the hash of EIP-712 and of Ethereum addresses: through hash-wasm's WebAssembly
// Keccak, which costs about 0.8 µs on a transaction's inputs, against 2 µs through the `keccak` package's N-API binding
// (four calls into native code per hash) and 8 µs through ethers' pure-JS hash.
import { keccak256 as keccakHex } from "ethers";
import { createKeccak, type IHasher } from "hash-wasm";

// One hasher, reused: every hash starts with init, and JavaScript runs one hash at a time. WebAssembly compiles
// asynchronously and this module must load synchronously (a top-level await would make every module that imports it
// ESM-only), so until it is ready, and wherever it cannot load, hashes go through ethers: the same digests.
let hasher: IHasher | undefined;

/** Resolves when the WebAssembly hasher is in use (or could not load); the app awaits it before its first block. */
export const keccakReady: Promise<void> = createKeccak(256).then(
  (ready) => {
    hasher = ready;
  },
  () => undefined,
);

/** Which implementation hashes now, for logs and benchmarks. */
export function keccakBackend(): "wasm" | "ethers" {
  return hasher === undefined ? "ethers" : "wasm";
}

/** keccak256 of the concatenation of `parts` through ethers (noble-hashes): the path until WebAssembly is ready. */
export function keccak256WithEthers(...parts: Uint8Array[]): Uint8Array {
  return Buffer.from(keccakHex(parts.length === 1 ? parts[0]! : Buffer.concat(parts)).slice(2), "hex");
}

/** keccak256 of the concatenation of `parts`, without building it; a fresh 32-byte digest each call. */
export function keccak256Bytes(...parts: Uint8Array[]): Uint8Array {
  if (hasher === undefined) return keccak256WithEthers(...parts);
  hasher.init();
  for (const part of parts) hasher.update(part);
  return hasher.digest("binary");
}
