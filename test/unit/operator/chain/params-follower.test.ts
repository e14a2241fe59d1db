import { expect } from "chai";
import type { BlockEvent } from "../../../../operator/chain/block-watcher.js";
import type { OperatorParams } from "../../../../operator/chain/chain-reader.js";
import {
  PARAM_CHANGE_EVENT,
  ParamsFollower,
  type ParamsHolder,
} from "../../../../operator/chain/params-follower.js";
import { silentLogger } from "../../../../observability/logger.js";
import { waitFor } from "../../../../process/wait-for.js";

function params(maxTxBytes: number): OperatorParams {
  return {
    bank: { maxTxBytes },
    market: {},
    metering: {},
    poc: { heartbeatWindowBlocks: 30, scuCpuMillicores: 1000, scuMemoryBytes: 2 ** 31, scuStorageBytes: 0 },
    federation: { heartbeatTimeoutBlocks: 10 },
  } as unknown as OperatorParams;
}

/** A chain whose parameter reads answer from a script (a number is maxTxBytes; an Error fails the read). */
class ParamsWorld {
  readonly holder: ParamsHolder;
  readonly script: (number | Error)[] = [];
  reads = 0;
  private eventListener: ((event: BlockEvent) => void) | undefined;
  private gapListener: ((height: number) => void) | undefined;
  /** Reads wait for this before answering, so a test can send events while one runs. */
  gate: Promise<void> = Promise.resolve();

  constructor() {
    this.holder = {
      params: params(1_000),
      chain: {
        reader: {
          params: async () => {
            this.reads++;
            await this.gate;
            const next = this.script.shift() ?? new Error("no answer scripted");
            if (next instanceof Error) throw next;
            return params(next);
          },
        },
        watcher: {
          onEvents: (types, listener) => {
            expect(types).to.deep.equal([PARAM_CHANGE_EVENT]);
            this.eventListener = listener;
          },
          onGap: (listener) => (this.gapListener = listener),
        },
      },
    };
  }

  paramChange(): void {
    this.eventListener!({ height: 7, type: PARAM_CHANGE_EVENT, attributes: { module: "bank" } });
  }

  gap(): void {
    this.gapListener!(9);
  }
}

describe("operator chain: parameters followed through governance", () => {
  it("reads the parameters again on a param_change event and on a gap, and keeps the old object when none changed", async () => {
    const world = new ParamsWorld();
    const follower = new ParamsFollower(world.holder, silentLogger());
    follower.start();
    const before = world.holder.params;
    world.script.push(1_000);
    world.paramChange();
    await follower.settled();
    expect(world.reads).to.equal(1);
    expect(world.holder.params).to.equal(before);
    world.script.push(4_096);
    world.gap();
    await follower.settled();
    expect(world.reads).to.equal(2);
    expect(world.holder.params.bank.maxTxBytes).to.equal(4_096);
    await follower.stop();
  });

  it("makes one more read for any number of changes heard while a read runs, and ends with the newest", async () => {
    const world = new ParamsWorld();
    const follower = new ParamsFollower(world.holder, silentLogger());
    follower.start();
    let open = (): void => undefined;
    world.gate = new Promise((resolve) => (open = resolve));
    world.script.push(2_000, 3_000);
    world.paramChange();
    world.paramChange();
    world.paramChange();
    open();
    await follower.settled();
    expect(world.reads).to.equal(2);
    expect(world.holder.params.bank.maxTxBytes).to.equal(3_000);
    await follower.stop();
  });

  it("tries a failed read again until one succeeds, and stops trying when stopped", async () => {
    const world = new ParamsWorld();
    const follower = new ParamsFollower(world.holder, silentLogger(), 10);
    follower.start();
    world.script.push(new Error("sidecar restarting"), new Error("still restarting"), 5_000);
    world.paramChange();
    await waitFor(() => Promise.resolve(world.holder.params.bank.maxTxBytes === 5_000 || undefined), {
      timeoutMs: 5_000,
      intervalMs: 5,
      description: "the parameters read after two failures",
    });
    expect(world.reads).to.equal(3);
    world.script.push(new Error("down again"));
    world.paramChange();
    await follower.settled();
    await follower.stop();
    const reads = world.reads;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(world.reads, "no retry after stop").to.equal(reads);
  });
});
