// Where each pod's billing stands: the first second not yet billed and what it was charged so far. Read from the
// chain's settlement record whenever it is not known for sure (after a start, a failure or an unknown outcome), so
// the next record always starts exactly where the last committed one ended.
import type { ChainReader } from "../chain/chain-reader.js";

export interface PodBilling {
  billedTo: number;
  charged: bigint;
}

export class BillingLedger {
  private readonly pods = new Map<string, PodBilling>();

  constructor(private readonly reader: ChainReader) {}

  /** Known or read from chain; a pod never billed starts at its lease start. */
  async of(podUid: string, leaseStart: number): Promise<PodBilling> {
    return this.pods.get(podUid) ?? this.refresh(podUid, leaseStart);
  }

  async refresh(podUid: string, leaseStart: number): Promise<PodBilling> {
    const settlement = await this.reader.metering.settlement(podUid);
    const billing: PodBilling =
      settlement === undefined
        ? { billedTo: leaseStart, charged: 0n }
        : { billedTo: Math.max(settlement.billedTo, leaseStart), charged: settlement.charged };
    this.pods.set(podUid, billing);
    return billing;
  }

  forget(podUid: string): void {
    this.pods.delete(podUid);
  }

  /** Drops pods no longer billed, so the ledger does not grow without bound. */
  retain(live: ReadonlySet<string>): void {
    for (const podUid of this.pods.keys()) if (!live.has(podUid)) this.pods.delete(podUid);
  }
}
