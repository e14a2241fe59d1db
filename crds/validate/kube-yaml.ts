// Parses manifests the way kubectl does (go-yaml v2 rules), so a plain scalar gets the type the apiserver sees:
// YAML 1.1 booleans (yes/no/on/off), Go-style integers, and hex too big for 64 bits or timestamps left as strings.
import { parseAllDocuments, type ScalarTag, type Tags } from "yaml";

export interface ParsedDocument {
  /** 1-based position of the document in its stream. */
  index: number;
  /** 1-based line where the document starts. */
  line: number;
  value: unknown;
  error?: string;
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

// Go's strconv.ParseInt/ParseUint with base 0, which go-yaml tries before anything else.
const goInteger: ScalarTag = {
  tag: "tag:yaml.org,2002:int",
  default: true,
  test: /^[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$/,
  resolve(text: string): number | string {
    const plain = text.replace(/_/g, "");
    const negative = plain.startsWith("-");
    const unsigned = plain.replace(/^[-+]/, "");
    let digits = unsigned;
    if (/^0[0-7]+$/.test(unsigned)) digits = `0o${unsigned.slice(1)}`;
    else if (/^0[oO]/.test(unsigned)) digits = `0o${unsigned.slice(2)}`;
    if (/^[0-9]+$/.test(unsigned) && /^0[0-9]*[89]/.test(unsigned))
      return Number(unsigned) * (negative ? -1 : 1);
    let magnitude: bigint;
    try {
      magnitude = BigInt(digits);
    } catch {
      return text;
    }
    const value = negative ? -magnitude : magnitude;
    if (value >= INT64_MIN && value <= UINT64_MAX) return Number(value);
    // Decimal digits beyond 64 bits become a float in go-yaml; other bases stay text.
    return /^[0-9]+$/.test(unsigned) ? Number(value) : text;
  },
};

function kubectlTags(defaults: Tags): Tags {
  const dropped = new Set(["tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int"]);
  const kept = defaults.filter(
    (tag) => typeof tag !== "object" || (!dropped.has(tag.tag) && (tag as ScalarTag).format !== "TIME"),
  );
  return [goInteger, ...kept];
}

export function parseManifestStream(text: string): ParsedDocument[] {
  const documents = parseAllDocuments(text, {
    version: "1.1",
    customTags: kubectlTags,
    uniqueKeys: true,
    prettyErrors: true,
  });
  const list = Array.isArray(documents) ? documents : [documents];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
    return line + 1;
  };
  return list.map((document, i) => {
    const firstContent = document.contents?.range[0] ?? document.range[0];
    const parsed: ParsedDocument = { index: i + 1, line: lineOf(firstContent), value: undefined };
    const problem = document.errors[0];
    if (problem) parsed.error = problem.message.split("\n")[0] ?? problem.message;
    else parsed.value = document.toJS({ maxAliasCount: 100 });
    return parsed;
  });
}
