// Contributors' PoC tiers as the chain's partition round-robin places them: tier 0 holds the highest PoC.

/** nodeId → tier, from the ranking an abci_query of /placement/<any pod UID> returns (online nodes only). */
export function tiersFromPlacement(placement) {
  const tiers = new Map();
  for (const entry of placement?.ranking ?? []) tiers.set(entry.nodeId, Number(entry.tier));
  return tiers;
}

/** "Tier 1 (top)" for tier 0, and so on; offline nodes have no tier. */
export function tierName(tier) {
  if (tier === undefined) return "offline";
  return tier === 0 ? "Tier 1 (top)" : `Tier ${tier + 1}`;
}

/** How many contributor nodes sit in each tier, and how many are offline: bars for the distribution chart. */
export function tierDistribution(nodes, tiers, tierCount) {
  const counts = Array.from({ length: Math.max(1, tierCount) }, () => 0);
  let offline = 0;
  for (const node of nodes) {
    const tier = tiers.get(node.nodeId);
    if (tier === undefined) offline += 1;
    else counts[Math.min(tier, counts.length - 1)] += 1;
  }
  const bars = counts.map((value, tier) => ({
    label: tier === 0 ? "Tier 1 (top)" : `Tier ${tier + 1}`,
    value,
  }));
  bars.push({ label: "Offline", value: offline, className: "bar-offline" });
  return bars;
}
