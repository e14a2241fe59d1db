// The last settlement each contract saw, as the metering loop committed it, for the contract's status.
import type { Settlement } from "../../crds/types.js";

export class SettlementBook {
  private readonly last = new Map<string, Settlement>();

  record(contractId: string, settlement: Settlement): void {
    const previous = this.last.get(contractId);
    if (previous === undefined || previous.height <= settlement.height) this.last.set(contractId, settlement);
  }

  lastOf(contractId: string): Settlement | undefined {
    return this.last.get(contractId);
  }
}
