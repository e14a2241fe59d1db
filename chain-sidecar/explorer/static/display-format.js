// How numbers, addresses, hashes and times read on the page; pure functions, also run by the unit tests.

/** A token amount or count given as a decimal string or bigint, with thousands separators. */
export function amount(value) {
  if (value === undefined || value === null || value === "") return "—";
  try {
    return BigInt(value).toLocaleString("en-US");
  } catch {
    return String(value);
  }
}

/** An integer count of 1/`unit`ths (decimal string or bigint) with `places` decimals, rounded down. */
export function decimal(value, unit, places = 3) {
  if (value === undefined || value === null || value === "") return "—";
  const scaled = (BigInt(value) * 10n ** BigInt(places)) / BigInt(unit);
  const digits = scaled.toString().padStart(places + 1, "0");
  return `${BigInt(digits.slice(0, -places)).toLocaleString("en-US")}.${digits.slice(-places)}`;
}

/** The start and end of a long hex string, with the whole in a tooltip. */
export function shortHex(value, head = 8, tail = 6) {
  const text = String(value ?? "");
  if (text.length <= head + tail + 1) return text;
  return `${text.slice(0, head)}…${text.slice(-tail)}`;
}

/** Whole seconds as "1 h 02 min 05 s", shortest first unit that is non-zero. */
export function duration(seconds) {
  const total = Math.max(0, Math.floor(Number(seconds)));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min ${String(s).padStart(2, "0")} s`;
  if (m > 0) return `${m} min ${String(s).padStart(2, "0")} s`;
  return `${s} s`;
}

/** An RFC 3339 block time as local "YYYY-MM-DD HH:MM:SS". */
export function blockTime(rfc3339) {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return String(rfc3339 ?? "");
  const pad = (n) => String(n).padStart(2, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** remaining / deposited as a whole percentage, 0 when nothing was deposited. */
export function percentOf(part, whole) {
  const w = BigInt(whole || 0);
  if (w === 0n) return 0;
  return Number((BigInt(part || 0) * 100n) / w);
}

/** A ppm fixed-point value (1,000,000 = 1 point) as points with two decimals. */
export function ppmPoints(value) {
  if (value === undefined || value === null || value === "") return "—";
  const ppm = BigInt(value);
  const negative = ppm < 0n;
  const abs = negative ? -ppm : ppm;
  const hundredths = (abs + 5_000n) / 10_000n;
  const text = `${(hundredths / 100n).toLocaleString("en-US")}.${String(hundredths % 100n).padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}
