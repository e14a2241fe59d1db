// Parsers for command-line arguments; each error names the argument and what was expected.
import { InvalidArgumentError } from "commander";
import { getAddress } from "ethers";

export function addressArgument(value: string): string {
  try {
    return getAddress(value);
  } catch {
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} is not a 0x address (20 bytes of hex; mixed case must match its checksum)`,
    );
  }
}

/** A whole amount in the smallest unit; `_` separators are allowed (1_000_000). */
export function amountArgument(value: string): bigint {
  const digits = value.replace(/_/g, "");
  if (!/^\d+$/.test(digits))
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole amount in the smallest unit`);
  return BigInt(digits);
}

export function nonceArgument(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a nonce`);
  return n;
}

export function scryptNArgument(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1024 || n > 1 << 20 || (n & (n - 1)) !== 0) {
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} must be a power of two between 1024 and 1048576`,
    );
  }
  return n;
}

export function base64KeyArgument(value: string): string {
  const bytes = Buffer.from(value, "base64");
  if (bytes.length !== 32 || bytes.toString("base64") !== value) {
    throw new InvalidArgumentError("expected an ed25519 public key: 32 bytes in base64");
  }
  return value;
}
