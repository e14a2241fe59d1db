// Reads and writes parameter sections; a parsed section is reused while its stored bytes are unchanged.
import { decodeRecord, encodeRecord } from "../../state/canonical-json.js";
import { rememberingCodec } from "../../state/remembering-codec.js";
import type { StateReader, StateWriter, ValueCodec } from "../../state/state-access.js";
import { parseParams, paramsToJson, type ParamSection } from "./param-section.js";

export const PARAMS_PREFIX = "params/";

export function paramsKey(module: string): string {
  return `${PARAMS_PREFIX}${module}`;
}

// One codec per section; parsed sections are shared by readers (nothing mutates them) while their bytes are unchanged.
const codecs = new WeakMap<ParamSection<object>, ValueCodec<object>>();

function sectionCodec<P extends object>(section: ParamSection<P>): ValueCodec<P> {
  let codec = codecs.get(section) as ValueCodec<P> | undefined;
  if (codec === undefined) {
    codec = rememberingCodec<P>(
      {
        encode: (params) => encodeRecord(paramsToJson(section, params)),
        decode: (bytes) => parseParams(section, decodeRecord(bytes), `params.${section.module}`),
      },
      // What is written is the caller's object: only what is parsed from bytes is remembered.
      { isDecodedForm: () => false },
    );
    codecs.set(section, codec);
  }
  return codec;
}

export function readParams<P extends object>(state: StateReader, section: ParamSection<P>): P {
  const bytes = state.get(paramsKey(section.module));
  return bytes === undefined ? section.defaults : sectionCodec(section).decode(bytes);
}

export function writeParams<P extends object>(state: StateWriter, section: ParamSection<P>, params: P): void {
  state.set(paramsKey(section.module), sectionCodec(section).encode(params));
}
