// What running a contract costs per metering interval; price is per SCU-hour, so cost = price × scu × seconds / 3600.
import type { Contract } from "./market-records.js";

export const SECONDS_PER_HOUR = 3600n;

/** What one more interval costs: active leases at their prices, unplaced replicas at the max price; rounded up. */
export function requiredPerInterval(contract: Contract, intervalSeconds: number): bigint {
  // After a resize down, leases of removed replicas stay active until their pods end.
  const unplaced = BigInt(Math.max(0, contract.replicas - contract.activeLeases));
  const pricePerScuSum = contract.activePriceSum + unplaced * contract.maxPricePerScuHour;
  const numerator = pricePerScuSum * BigInt(contract.scuPerReplica) * BigInt(intervalSeconds);
  return (numerator + SECONDS_PER_HOUR - 1n) / SECONDS_PER_HOUR;
}
