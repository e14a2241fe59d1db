// keccak256 over bytes to bytes, the hash of EIP-712 and of Ethereum addresses.
import { keccak256 as keccakHex } from "ethers";

export function keccak256Bytes(bytes: Uint8Array): Uint8Array {
  return Buffer.from(keccakHex(bytes).slice(2), "hex");
}
