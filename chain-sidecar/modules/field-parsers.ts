// Parsing of user-given fields in genesis files and query paths, with errors that name the field.
import { getAddress } from "ethers";
import { invalidField } from "../tx/tx-error.js";

/** Normalises an address to lowercase 0x hex. */
export function parseAddress(raw: unknown, field: string): string {
  if (typeof raw !== "string") throw invalidField(field, "expected a 0x address");
  try {
    return getAddress(raw).toLowerCase();
  } catch {
    throw invalidField(field, `${JSON.stringify(raw)} is not a valid 0x address`);
  }
}

/** Parses a non-negative integer amount given as a decimal string (or a safe integer). */
export function parseAmount(raw: unknown, field: string): bigint {
  if (typeof raw === "string" && /^\d+$/.test(raw)) return BigInt(raw);
  if (typeof raw === "number" && Number.isSafeInteger(raw) && raw >= 0) return BigInt(raw);
  throw invalidField(
    field,
    `expected a non-negative integer as a decimal string, got ${JSON.stringify(raw)}`,
  );
}
