// The modules of the Uranus chain, in the order their genesis and block hooks run. Add a module here.
// Like a Cosmos app.go: each keeper is built once here and handed to the keepers that need it, as their narrow
// expected-keeper interfaces.
import { BankKeeper } from "./bank/bank-keeper.js";
import { bankModule } from "./bank/bank-module.js";
import type { ChainModule } from "./chain-module.js";
import { AssignmentKeeper } from "./federation/assignment-keeper.js";
import { ClusterLiveness } from "./federation/cluster-liveness.js";
import { FederationKeeper } from "./federation/federation-keeper.js";
import { federationModule } from "./federation/federation-module.js";
import { GovernanceKeeper } from "./governance/governance-keeper.js";
import { governanceModule } from "./governance/governance-module.js";
import { governanceParams } from "./governance/governance-params.js";
import { LeaseKeeper } from "./market/lease-keeper.js";
import { MarketKeeper } from "./market/market-keeper.js";
import { marketModule } from "./market/market-module.js";
import { SlaKeeper } from "./market/sla-keeper.js";
import { MeteringKeeper } from "./metering/metering-keeper.js";
import { meteringModule } from "./metering/metering-module.js";
import { settlementReader } from "./metering/settlement-retention.js";
import { ModuleRegistry } from "./module-registry.js";
import { blockParams } from "./params/block-params.js";
import type { ParamSection } from "./params/param-section.js";
import { paramsModule } from "./params/params-module.js";
import { DemandKeeper } from "./poc/demand-keeper.js";
import { PocKeeper } from "./poc/poc-keeper.js";
import { pocModule } from "./poc/poc-module.js";
import { StakingKeeper } from "./staking/staking-keeper.js";
import { stakingModule } from "./staking/staking-module.js";

/** One app's keepers, wired to each other, and its modules over them. */
function uranusApp(): { modules: ChainModule[]; bank: BankKeeper } {
  const bank = new BankKeeper();
  const staking = new StakingKeeper(bank);
  const poc = new PocKeeper(staking);
  const demand = new DemandKeeper();
  const market = new MarketKeeper(bank, poc, demand, settlementReader);
  const leases = new LeaseKeeper(market, poc, poc);
  const sla = new SlaKeeper(market, poc);
  const metering = new MeteringKeeper(market, bank, poc);
  const federation = new FederationKeeper(market);
  const assignments = new AssignmentKeeper(federation, market, poc);
  /**
   * Message type ids by module: bank 1–15, staking 16–31, poc 32–47, market 48–63, metering 64–79,
   * governance 80–95, federation 96–111.
   */
  const economyModules: readonly ChainModule[] = [
    bankModule(bank),
    stakingModule(staking),
    pocModule(poc, demand),
    marketModule(market, leases, sla),
    meteringModule(metering),
    federationModule(federation, assignments, new ClusterLiveness(staking)),
  ];
  // Governance may change every module's parameters, its own included.
  const sections = [
    ...economyModules.flatMap((m) => (m.params ? [m.params] : [])),
    governanceParams as ParamSection<object>,
    blockParams as ParamSection<object>,
  ];
  const governance = governanceModule(new GovernanceKeeper(sections, staking));
  return { modules: [paramsModule(sections), ...economyModules, governance], bank };
}

const app = uranusApp();
/** The app's modules; every transaction's nonce and fee go through its one bank keeper. */
export const uranusRegistry = new ModuleRegistry(app.modules, app.bank);
export const uranusCatalog = uranusRegistry.catalog;
