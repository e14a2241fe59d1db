// What the page needs to read transactions as the chain does: message types by wire id, result code names, EIP-712 domain.
import { uranusCatalog } from "../modules/uranus-modules.js";
import { DOMAIN_NAME, DOMAIN_VERSION } from "../tx/eip712-domain.js";
import { TX_FORMAT_VERSION } from "../tx/envelope.js";
import type { MessageCatalog } from "../tx/message-catalog.js";
import { ResultCode } from "../tx/result-codes.js";

export interface ExplorerCatalog {
  txFormatVersion: number;
  domain: { name: string; version: string };
  messages: {
    typeId: number;
    primaryType: string;
    /** The EIP-712 types a signer signs (the primary type carries the nonce last). */
    types: Record<string, { name: string; type: string }[]>;
  }[];
  resultCodes: Record<string, string>;
}

export function explorerCatalog(catalog: MessageCatalog = uranusCatalog): ExplorerCatalog {
  const resultCodes: Record<string, string> = {};
  for (const [name, code] of Object.entries(ResultCode).sort((a, b) => a[1] - b[1])) {
    resultCodes[String(code)] = name;
  }
  return {
    txFormatVersion: TX_FORMAT_VERSION,
    domain: { name: DOMAIN_NAME, version: DOMAIN_VERSION },
    messages: catalog.all().map((spec) => ({
      typeId: spec.typeId,
      primaryType: spec.primaryType,
      types: spec.types,
    })),
    resultCodes,
  };
}
