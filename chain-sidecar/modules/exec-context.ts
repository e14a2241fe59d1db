// What a keeper sees while state changes: the state layer, the block it runs in, and where its events go.
import type { StateWriter } from "../state/state-access.js";

export interface BlockInfo {
  readonly height: number;
  readonly chainId: string;
  /** Block time in milliseconds since the epoch, from the block header (never the local clock). */
  readonly timeMs: number;
}

export type EventAttributes = readonly (readonly [key: string, value: string])[];

export interface ChainEvent {
  readonly type: string;
  readonly attributes: EventAttributes;
}

export class ExecContext {
  readonly events: ChainEvent[] = [];

  constructor(
    readonly state: StateWriter,
    readonly block: BlockInfo,
  ) {}

  /** Attributes in the order written (never integer-like keys, so the order is the one given). */
  emit(type: string, attributes: Readonly<Record<string, string | number | bigint | boolean>>): void {
    this.events.push({
      type,
      attributes: Object.entries(attributes).map(([key, value]) => [key, String(value)]),
    });
  }
}

/** A message handler's context: the recovered sender is the only identity it may trust. */
export class TxContext extends ExecContext {
  constructor(
    state: StateWriter,
    block: BlockInfo,
    readonly sender: string,
    readonly txHash: string,
  ) {
    super(state, block);
  }
}
