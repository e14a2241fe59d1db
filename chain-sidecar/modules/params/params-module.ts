// The params module: every module's parameter section is written at genesis and readable by query.
import type { JsonValue } from "../../state/canonical-json.js";
import { invalidField } from "../../tx/tx-error.js";
import type { ChainModule } from "../chain-module.js";
import { parseParams, paramsToJson, type ParamSection } from "./param-section.js";
import { paramsKey, readParams, writeParams } from "./params-keeper.js";

export function paramsModule(sections: readonly ParamSection<object>[]): ChainModule {
  const byModule = new Map(sections.map((s) => [s.module, s]));
  return {
    name: "params",
    initGenesis(ctx, appState) {
      const input: unknown = "params" in appState ? appState.params : {};
      if (typeof input !== "object" || input === null || Array.isArray(input)) {
        throw invalidField("genesis.params", "expected an object with one section per module");
      }
      for (const name of Object.keys(input).sort()) {
        if (!byModule.has(name)) {
          throw invalidField(
            `genesis.params.${name}`,
            `no module has parameters by this name; known: ${[...byModule.keys()].sort().join(", ")}`,
          );
        }
      }
      for (const section of [...sections].sort((a, b) => (a.module < b.module ? -1 : 1))) {
        const given = (input as Record<string, unknown>)[section.module];
        writeParams(ctx.state, section, parseParams(section, given, `genesis.params.${section.module}`));
      }
    },
    queries: [
      {
        path: "/params",
        describe: "every module's parameters",
        answer(state) {
          const value: Record<string, JsonValue> = {};
          for (const section of sections)
            value[section.module] = paramsToJson(section, readParams(state, section));
          return { kind: "view", value };
        },
      },
      {
        path: "/params/:module",
        describe: "one module's parameters (provable)",
        answer(_state, { module }) {
          const section = byModule.get(module!);
          if (!section)
            throw invalidField(
              "module",
              `no parameters for ${module}; known: ${[...byModule.keys()].sort().join(", ")}`,
            );
          return {
            kind: "record",
            stateKey: paramsKey(section.module),
            fallback: paramsToJson(section, section.defaults),
          };
        },
      },
    ],
  };
}
