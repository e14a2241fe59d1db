// Decodes JSON-RPC params the way CometBFT does: bytes are base64 in JSON bodies, and URI queries
// take "quoted strings" or 0x-hex.

export type ParamKind = "int" | "bytes" | "hex" | "string" | "bool";
export type ParamValue = bigint | Uint8Array | string | boolean | undefined;

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: string,
  ) {
    super(message);
  }

  static invalidParams(data: string): RpcError {
    return new RpcError(-32602, "Invalid params", data);
  }

  static internal(data: string): RpcError {
    return new RpcError(-32603, "Internal error", data);
  }
}

function fromJson(name: string, kind: ParamKind, value: unknown): ParamValue {
  if (value === undefined || value === null) return undefined;
  const bad = (): RpcError =>
    RpcError.invalidParams(`param ${name}: expected ${kind}, got ${JSON.stringify(value)}`);
  switch (kind) {
    case "int":
      if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
      if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
      if (typeof value === "string" && value === "") return undefined;
      throw bad();
    case "bytes":
      if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw bad();
      return new Uint8Array(Buffer.from(value, "base64"));
    case "hex": {
      if (typeof value !== "string") throw bad();
      const digits = value.startsWith("0x") ? value.slice(2) : value;
      if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw bad();
      return new Uint8Array(Buffer.from(digits, "hex"));
    }
    case "string":
      if (typeof value !== "string") throw bad();
      return value;
    case "bool":
      if (typeof value === "boolean") return value;
      if (value === "true" || value === "false") return value === "true";
      throw bad();
  }
}

function fromUri(name: string, kind: ParamKind, raw: string): ParamValue {
  const bad = (): RpcError =>
    RpcError.invalidParams(`param ${name}: expected ${kind}, got ${JSON.stringify(raw)}`);
  const quoted = /^"(.*)"$/s.exec(raw);
  switch (kind) {
    case "bytes":
    case "hex":
      if (quoted !== null) return new Uint8Array(Buffer.from(quoted[1]!, "utf8"));
      if (/^0x([0-9a-fA-F]{2})*$/.test(raw)) return new Uint8Array(Buffer.from(raw.slice(2), "hex"));
      throw bad();
    case "string":
      return quoted !== null ? quoted[1]! : raw;
    case "int":
      return fromJson(name, kind, quoted !== null ? quoted[1] : raw);
    case "bool":
      return fromJson(name, kind, raw);
  }
}

export type ParamSpec = readonly (readonly [name: string, kind: ParamKind])[];

/** Params of a JSON body: an object by name, or an array by position. */
export function paramsFromJson(spec: ParamSpec, params: unknown): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  if (params === undefined || params === null) return out;
  if (Array.isArray(params)) {
    spec.forEach(([name, kind], i) => (out[name] = fromJson(name, kind, params[i])));
    return out;
  }
  if (typeof params !== "object") throw RpcError.invalidParams("params must be an object or an array");
  const byName = params as Record<string, unknown>;
  for (const [name, kind] of spec) out[name] = fromJson(name, kind, byName[name]);
  return out;
}

export function paramsFromUri(spec: ParamSpec, query: URLSearchParams): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, kind] of spec) {
    const raw = query.get(name);
    out[name] = raw === null || raw === "" ? undefined : fromUri(name, kind, raw);
  }
  return out;
}
