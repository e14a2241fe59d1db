// The modules of the Uranus chain, in the order their genesis and block hooks run. Add a module here.
import { bankModule } from "./bank/bank-module.js";
import type { ChainModule } from "./chain-module.js";
import { governanceModule } from "./governance/governance-module.js";
import { marketModule } from "./market/market-module.js";
import { meteringModule } from "./metering/metering-module.js";
import { settlementReader } from "./metering/metering-records.js";
import { ModuleRegistry } from "./module-registry.js";
import { paramsModule } from "./params/params-module.js";
import { pocModule } from "./poc/poc-module.js";
import { stakingModule } from "./staking/staking-module.js";

/** Message type ids by module: bank 1–15, staking 16–31, poc 32–47, market 48–63, metering 64–79, governance 80–95. */
const economyModules: readonly ChainModule[] = [
  bankModule,
  stakingModule,
  pocModule,
  marketModule(settlementReader),
  meteringModule,
];

export function uranusModules(): ChainModule[] {
  const sections = economyModules.flatMap((m) => (m.params ? [m.params] : []));
  const governance = governanceModule(sections);
  return [paramsModule([...sections, governance.params!]), ...economyModules, governance];
}

export const uranusRegistry = new ModuleRegistry(uranusModules());
export const uranusCatalog = uranusRegistry.catalog;
