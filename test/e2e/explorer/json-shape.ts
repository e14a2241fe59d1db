// The shape of a JSON answer, path by path: object keys, arrays, nulls, numbers vs strings, and which string
// encoding (upper-case hex hashes, RFC 3339 times) a value uses, so two nodes' RPC answers can be compared.

const HEX_HASH = /^(?:[0-9A-F]{2}){20,}$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "array(empty)" : "array";
  if (typeof value === "string") {
    if (HEX_HASH.test(value)) return "string(HEX)";
    if (RFC3339.test(value)) return "string(time)";
    return "string";
  }
  return typeof value;
}

/** path → kind, for every value in `value`; arrays contribute the shapes of all their elements under `[]`. */
export function jsonShape(
  value: unknown,
  path = "$",
  into = new Map<string, Set<string>>(),
): Map<string, Set<string>> {
  const kinds = into.get(path) ?? new Set<string>();
  kinds.add(kindOf(value));
  into.set(path, kinds);
  if (Array.isArray(value)) {
    for (const item of value) jsonShape(item, `${path}[]`, into);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) jsonShape(item, `${path}.${key}`, into);
  }
  return into;
}

/** One line per path whose kinds differ between the two answers (or that only one of them has). */
export function shapeDifferences(expected: unknown, actual: unknown): string[] {
  const a = jsonShape(expected);
  const b = jsonShape(actual);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const describe = (kinds: Set<string> | undefined) =>
    kinds === undefined ? "absent" : [...kinds].sort().join("|");
  return paths
    .filter((path) => describe(a.get(path)) !== describe(b.get(path)))
    .map((path) => `${path}: CometBFT ${describe(a.get(path))}, solo ${describe(b.get(path))}`);
}
