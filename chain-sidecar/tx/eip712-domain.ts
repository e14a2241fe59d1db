// The EIP-712 domain of a Uranus chain: the string chain id maps to a numeric one every wallet accepts.
import { getBytes, keccak256, toUtf8Bytes, TypedDataEncoder, type TypedDataDomain } from "ethers";

export const DOMAIN_NAME = "Uranus";
export const DOMAIN_VERSION = "1";

/** The first 6 bytes of keccak256(chain id): a stable number below 2^48, safe in JavaScript and in wallets. */
export function eip712ChainId(chainId: string): bigint {
  return BigInt(keccak256(toUtf8Bytes(chainId)).slice(0, 14));
}

export function eip712Domain(chainId: string): TypedDataDomain {
  return { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId: eip712ChainId(chainId) };
}

const separators = new Map<string, Uint8Array>();

/** The domain separator's bytes, computed once per chain id. */
export function domainSeparatorBytes(chainId: string): Uint8Array {
  let separator = separators.get(chainId);
  if (separator === undefined) {
    separator = getBytes(TypedDataEncoder.hashDomain(eip712Domain(chainId)));
    if (separators.size > 64) separators.clear();
    separators.set(chainId, separator);
  }
  return separator;
}
