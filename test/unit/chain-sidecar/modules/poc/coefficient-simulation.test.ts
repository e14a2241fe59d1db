import { expect } from "chai";
import { DemandKeeper } from "../../../../../chain-sidecar/modules/poc/demand-keeper.js";
import { RegisterNodeMsg } from "../../../../../chain-sidecar/modules/poc/poc-messages.js";
import { EconomyChain, address } from "../market/economy-harness.js";
import { nodeOffer } from "../market/economy-fixtures.js";
import { seededUniform } from "../../../../support/seeded-uniform.js";

/** Knuth's Poisson sampler: counts uniforms until their product falls below e^−λ. */
function poisson(lambda: number, uniform: () => number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let product = uniform();
  while (product > limit) {
    k += 1;
    product *= uniform();
  }
  return k;
}

const GIB = 1024n * 1024n * 1024n;
const PARAMS = {
  epochBlocks: 25,
  demandWindowBlocks: 1_000,
  demandHoldBlocks: 100,
  targetUtilisationPpm: 700_000,
  correctionPpm: 250_000,
  coefBasePpm: 1_000_000,
  coefMinPpm: 100_000,
  coefMaxPpm: 10_000_000,
  heartbeatWindowBlocks: 1_000_000,
};
const NODES = 10;
/** Ten nodes of 8 cores and 512 GiB: CPU is the scarce resource (80 SCU of CPU against 2,560 of memory). */
const CPU_SUPPLY_SCU = 80;
const PHASE_BLOCKS = 2_500;
/** After a demand change the estimate needs a full window, and the coefficient a few epochs more. */
const SETTLE_BLOCKS = PARAMS.demandWindowBlocks + 10 * PARAMS.epochBlocks;
/** The stated bound: once settled, a coefficient stays within ±15 % of the target its true demand implies. */
const BOUND = 0.15;

/** The coefficient the true Poisson rate implies, by the controller's own rule (clamped). */
function targetFor(lambdaScuPerBlock: number, supplyScu: number): number {
  const load = (lambdaScuPerBlock * PARAMS.demandHoldBlocks) / supplyScu;
  const target = (PARAMS.coefBasePpm * load * 1_000_000) / PARAMS.targetUtilisationPpm;
  return Math.min(PARAMS.coefMaxPpm, Math.max(PARAMS.coefMinPpm, target));
}

describe("poc coefficients follow Poisson demand against supply (7,500 blocks, seeded)", () => {
  const phases = [0.2, 1.0, 0.2];
  const samples: { height: number; phase: number; cpu: number; memory: number }[] = [];

  before(() => {
    const chain = new EconomyChain({ params: { poc: PARAMS } });
    for (let i = 0; i < NODES; i++) {
      chain.ok(
        address(`sim-owner-${i}`),
        RegisterNodeMsg,
        nodeOffer(`sim-node-${i}`, { cpuMillicores: 8_000n, memoryBytes: 512n * GIB }),
      );
    }
    const uniform = seededUniform(20_261_124);
    for (let phase = 0; phase < phases.length; phase++) {
      for (let b = 0; b < PHASE_BLOCKS; b++) {
        new DemandKeeper().recordDemand(chain.state, chain.height, BigInt(poisson(phases[phase]!, uniform)));
        const events = chain.endBlock(6);
        const update = events.find((e) => e.type === "poc_coefficients");
        if (update) {
          const value = (name: string) => Number(update.attributes.find(([k]) => k === name)![1]);
          samples.push({ height: chain.height - 1, phase, cpu: value("cpu"), memory: value("memory") });
        }
      }
    }
  });

  function settled(phase: number) {
    const start = phase * PHASE_BLOCKS + SETTLE_BLOCKS;
    return samples.filter((s) => s.phase === phase && s.height >= start);
  }

  it("updates every epoch", () => {
    expect(samples.length).to.equal((phases.length * PHASE_BLOCKS) / PARAMS.epochBlocks);
  });

  it("raises the CPU coefficient when demand outruns CPU supply, and lowers it again when demand drops", () => {
    const low = targetFor(0.2, CPU_SUPPLY_SCU);
    const high = targetFor(1.0, CPU_SUPPLY_SCU);
    expect(high / low).to.be.greaterThan(4);
    const mean = (list: { cpu: number }[]) => list.reduce((sum, s) => sum + s.cpu, 0) / list.length;
    expect(mean(settled(1))).to.be.greaterThan(3 * mean(settled(0)));
    expect(mean(settled(2))).to.be.lessThan(mean(settled(1)) / 3);
  });

  it("converges without oscillating past ±15 % of the target the true demand implies", () => {
    for (let phase = 0; phase < phases.length; phase++) {
      const target = targetFor(phases[phase]!, CPU_SUPPLY_SCU);
      for (const s of settled(phase)) {
        expect(
          Math.abs(s.cpu - target) / target,
          `phase ${phase} at height ${s.height}: ${s.cpu} vs ${target}`,
        ).to.be.at.most(BOUND);
      }
    }
  });

  it("moves monotonically toward a new target: rising after the demand step, never overshooting it", () => {
    const high = targetFor(1.0, CPU_SUPPLY_SCU);
    const rising = samples.filter((s) => s.phase === 1);
    for (const s of rising) expect(s.cpu).to.be.at.most(high * (1 + BOUND));
    const firstHalf = rising.slice(0, 20).map((s) => s.cpu);
    for (let i = 1; i < firstHalf.length; i++) expect(firstHalf[i]!).to.be.at.least(firstHalf[i - 1]!);
  });

  it("keeps the memory coefficient at its lower bound: memory demand never outruns its supply", () => {
    // The step truncates toward zero, so it may stop short of the target by less than 1 / correction ppm.
    const slack = 1_000_000 / PARAMS.correctionPpm;
    for (const s of samples.filter((x) => x.height >= SETTLE_BLOCKS)) {
      expect(s.memory).to.be.within(PARAMS.coefMinPpm, PARAMS.coefMinPpm + slack);
    }
  });
});
