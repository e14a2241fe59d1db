// Reads and writes parameter sections; a parsed section is reused while its stored bytes are unchanged.
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import type { StateReader, StateWriter } from "../../state/state-access.js";
import { parseParams, paramsToJson, type ParamSection } from "./param-section.js";

export const PARAMS_PREFIX = "params/";

export function paramsKey(module: string): string {
  return `${PARAMS_PREFIX}${module}`;
}

const parsedByBytes = new WeakMap<Uint8Array, object>();

export function readParams<P extends object>(state: StateReader, section: ParamSection<P>): P {
  const bytes = state.get(paramsKey(section.module));
  if (!bytes) return section.defaults;
  const cached = parsedByBytes.get(bytes);
  if (cached) return cached as P;
  const parsed = parseParams(section, decodeRecord(bytes), `params.${section.module}`);
  parsedByBytes.set(bytes, parsed);
  return parsed;
}

export function writeParams<P extends object>(state: StateWriter, section: ParamSection<P>, params: P): void {
  state.set(paramsKey(section.module), encodeRecord(paramsToJson(section, params)));
}
