// The modules of the Uranus chain, in the order their genesis and block hooks run. Add a module here.
import { bankModule } from "./bank/bank-module.js";
import type { ChainModule } from "./chain-module.js";
import { ModuleRegistry } from "./module-registry.js";
import { paramsModule } from "./params/params-module.js";
import { stakingModule } from "./staking/staking-module.js";

/** Message type ids by module: bank 1–15, staking 16–31, poc 32–47, market 48–63, metering 64–79. */
const economyModules: readonly ChainModule[] = [bankModule, stakingModule];

export function uranusModules(): ChainModule[] {
  const sections = economyModules.flatMap((m) => (m.params ? [m.params] : []));
  return [paramsModule(sections), ...economyModules];
}

export const uranusRegistry = new ModuleRegistry(uranusModules());
export const uranusCatalog = uranusRegistry.catalog;
