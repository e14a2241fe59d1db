// Kubernetes resource quantities ("500m", "0.5Gi", "1e3") as exact nano-units.
// Own parser: client-node's quantityToScalar rejects valid quantities such as "0.5Gi" and "1e3" and loses precision.

const NANO = 1_000_000_000n;

/** Decimal suffixes step by 10^3 and binary ones by 2^10, from k and Ki up. */
const MULTIPLIER: Readonly<Record<string, bigint>> = Object.fromEntries([
  ...["", "n", "u", "m"].map((suffix) => [suffix, 1n] as const),
  ...["k", "M", "G", "T", "P", "E"].map((suffix, i) => [suffix, 10n ** BigInt(3 * (i + 1))] as const),
  ...["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"].map((suffix, i) => [suffix, 2n ** BigInt(10 * (i + 1))] as const),
]);

/** The fractional SI suffixes divide instead of multiplying. */
const DIVISOR: Readonly<Record<string, bigint>> = { n: 10n ** 9n, u: 10n ** 6n, m: 10n ** 3n };

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** Exponents beyond this are refused, so a hostile "1e999999999" cannot make a huge BigInt. */
const MAX_EXPONENT = 30;

export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QuantityError";
  }
}

/** The quantity in nano-units (1 = 10^-9 of the base unit), rounded up; throws a QuantityError naming the input. */
export function parseQuantityNano(quantity: string | number): bigint {
  const text = typeof quantity === "number" ? String(quantity) : quantity.trim();
  const match = QUANTITY.exec(text);
  if (match === null) throw new QuantityError(`${JSON.stringify(quantity)} is not a Kubernetes quantity`);
  const [, sign, number, exponentPart, suffix = ""] = match;
  const [whole = "", fraction = ""] = number!.split(".");
  let numerator = BigInt(`${whole}${fraction}` || "0") * NANO * MULTIPLIER[suffix]!;
  let denominator = 10n ** BigInt(fraction.length) * (DIVISOR[suffix] ?? 1n);
  if (exponentPart !== undefined) {
    const exponent = Number(exponentPart.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) {
      throw new QuantityError(`${JSON.stringify(quantity)} has an exponent beyond ±${MAX_EXPONENT}`);
    }
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
    else denominator *= 10n ** BigInt(-exponent);
  }
  const magnitude = (numerator + denominator - 1n) / denominator;
  if (sign === "-" && magnitude !== 0n) throw new QuantityError(`${JSON.stringify(quantity)} is negative`);
  return magnitude;
}
