// Reads a Uranus transaction as the chain does: version byte, RLP [chainId, type, nonce, body, signature],
// the body typed by the message's EIP-712 types, and the sender recovered from the EIP-712 signature.
// `ethers` is passed in (the page loads its browser build, the tests the npm package).

const SIGNATURE_BYTES = 65;

/** base64 → bytes, in browsers and in Node. */
export function base64Bytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** `signed`: the primary type, whose EIP-712 fields end with the nonce the envelope carries separately. */
function decodeTypedValue(ethers, type, item, types, path, signed = false) {
  if (type.endsWith("[]")) {
    if (!Array.isArray(item)) throw new Error(`${path}: expected a list`);
    return item.map((entry, i) => decodeTypedValue(ethers, type.slice(0, -2), entry, types, `${path}[${i}]`));
  }
  const struct = types[type];
  if (struct !== undefined) {
    const fields = signed ? struct.slice(0, -1) : struct;
    if (!Array.isArray(item) || item.length !== fields.length) {
      throw new Error(`${path}: expected ${fields.length} fields`);
    }
    const value = {};
    fields.forEach((field, i) => {
      value[field.name] = decodeTypedValue(ethers, field.type, item[i], types, `${path}.${field.name}`);
    });
    return value;
  }
  if (typeof item !== "string") throw new Error(`${path}: expected bytes, got a list`);
  if (type === "address") return item.toLowerCase();
  if (type === "bool") return item !== "0x";
  if (type === "string") return ethers.toUtf8String(item);
  if (/^uint\d+$/.test(type)) return item === "0x" ? 0n : BigInt(item);
  return item;
}

/** The EIP-712 chain id of a string chain id: the first 6 bytes of its keccak256, as the chain computes it. */
export function eip712ChainId(ethers, chainId) {
  return BigInt(ethers.keccak256(ethers.toUtf8Bytes(chainId)).slice(0, 14));
}

/**
 * Returns decode(base64Tx) → { hash, typeId, type, nonce, chainId, message, sender, problem }.
 * `problem` says why a part could not be read (the chain would have refused such a transaction); the
 * decoded parts up to that point are still returned.
 */
export function createTxDecoder(ethers, catalog) {
  const byId = new Map(catalog.messages.map((m) => [m.typeId, m]));
  const domains = new Map();
  const domainOf = (chainId) => {
    if (!domains.has(chainId)) {
      domains.set(chainId, {
        name: catalog.domain.name,
        version: catalog.domain.version,
        chainId: eip712ChainId(ethers, chainId),
      });
    }
    return domains.get(chainId);
  };

  return function decode(base64Tx) {
    const bytes = base64Bytes(base64Tx);
    const out = {
      hash: ethers.sha256(bytes).slice(2).toUpperCase(),
      sizeBytes: bytes.length,
      typeId: undefined,
      type: "unknown",
      nonce: undefined,
      chainId: undefined,
      message: undefined,
      sender: undefined,
      problem: undefined,
    };
    try {
      if (bytes[0] !== catalog.txFormatVersion) throw new Error(`unknown format version ${bytes[0]}`);
      const items = ethers.decodeRlp(bytes.subarray(1));
      if (!Array.isArray(items) || items.length !== 5) throw new Error("not a list of 5 items");
      const [chainItem, typeItem, nonceItem, body, signatureItem] = items;
      out.chainId = ethers.toUtf8String(chainItem);
      out.typeId = typeItem === "0x" ? 0 : Number(BigInt(typeItem));
      out.nonce = nonceItem === "0x" ? 0 : Number(BigInt(nonceItem));
      const spec = byId.get(out.typeId);
      if (spec === undefined) throw new Error(`unknown message type ${out.typeId}`);
      out.type = spec.primaryType;
      out.message = decodeTypedValue(ethers, spec.primaryType, body, spec.types, spec.primaryType, true);
      const signature = ethers.getBytes(signatureItem);
      if (signature.length !== SIGNATURE_BYTES) throw new Error(`signature is ${signature.length} bytes`);
      const digest = ethers.TypedDataEncoder.hash(domainOf(out.chainId), spec.types, {
        ...out.message,
        nonce: BigInt(out.nonce),
      });
      out.sender = ethers
        .recoverAddress(digest, {
          r: ethers.hexlify(signature.subarray(0, 32)),
          s: ethers.hexlify(signature.subarray(32, 64)),
          v: signature[64],
        })
        .toLowerCase();
    } catch (error) {
      out.problem = error instanceof Error ? error.message : String(error);
    }
    return out;
  };
}

/** A one-line summary of a decoded message for the transactions table. */
export function messageSummary(message) {
  if (message === undefined || message === null) return "";
  const parts = [];
  for (const [name, value] of Object.entries(message)) {
    if (Array.isArray(value)) parts.push(`${name}: ${value.length} item${value.length === 1 ? "" : "s"}`);
    else if (typeof value === "object") parts.push(`${name}: {…}`);
    else
      parts.push(`${name}: ${String(value).length > 24 ? `${String(value).slice(0, 22)}…` : String(value)}`);
    if (parts.length === 4) break;
  }
  return parts.join(", ");
}

/** JSON with bigints as decimal strings, for showing a decoded message in full. */
export function messageJson(message) {
  return JSON.stringify(message, (_key, value) => (typeof value === "bigint" ? value.toString() : value), 2);
}
