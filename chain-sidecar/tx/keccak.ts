// keccak256 over bytes to bytes, the hash of EIP-712 and of Ethereum addresses: through the `keccak` package's prebuilt
// N-API binding (XKCP's C code, ~5x ethers' pure-JS hash on a transaction's inputs), else through ethers.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { keccak256 as keccakHex } from "ethers";

/** The sponge state the `keccak` package's binding exposes (its `KeccakState` class). */
interface NativeKeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Uint8Array): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Uint8Array;
}

// keccak256's sponge: 1088-bit rate, 512-bit capacity, Keccak's own padding (suffix bits 0x01, not SHA-3's 0x06).
const RATE_BITS = 1088;
const CAPACITY_BITS = 512;
const KECCAK_SUFFIX = 0x01;

function loadNativeState(): NativeKeccakState | undefined {
  try {
    const require = createRequire(import.meta.url);
    const packageDir = dirname(require.resolve("keccak/package.json"));
    // The binding itself, through the package's own loader: the package root wraps each hash in a stream object.
    const load = createRequire(`${packageDir}/index.js`)("node-gyp-build") as (dir: string) => unknown;
    const KeccakState = load(packageDir);
    if (typeof KeccakState !== "function") return undefined;
    return new (KeccakState as new () => NativeKeccakState)();
  } catch {
    return undefined;
  }
}

// One state, reused: every hash initialises it first, and JavaScript runs one hash at a time.
const nativeState = loadNativeState();

/** Which implementation hashes in this process, for logs and benchmarks. */
export const keccakBackend: "native" | "ethers" = nativeState === undefined ? "ethers" : "native";

/** keccak256 through ethers (noble-hashes), the reference the native path is tested against. */
export function keccak256WithEthers(bytes: Uint8Array): Uint8Array {
  return Buffer.from(keccakHex(bytes).slice(2), "hex");
}

function keccak256Native(state: NativeKeccakState, bytes: Uint8Array): Uint8Array {
  state.initialize(RATE_BITS, CAPACITY_BITS);
  // The binding reads a Buffer; a view over the same memory costs no copy.
  state.absorb(
    Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  );
  state.absorbLastFewBits(KECCAK_SUFFIX);
  return state.squeeze(32);
}

export function keccak256Bytes(bytes: Uint8Array): Uint8Array {
  return nativeState === undefined ? keccak256WithEthers(bytes) : keccak256Native(nativeState, bytes);
}
