// Escrow by block height for one contract, from the chain's per-pod settlement records.
//
// The chain keeps one cumulative settlement record per pod (its charges so far and the height of its latest
// batch), so each pod's charges come out at that height; the series starts from the deposit at the opening
// height and ends at the escrow the contract reports now (which also reflects refunds).

/**
 * contract: { openedHeight, escrow: { deposited, remaining } } as the chain's contract listing gives it;
 * settlements: [{ charged, lastHeight }]. Returns [{ height, escrow }] with escrow as bigint, by height.
 */
export function escrowByHeight(contract, settlements, latestHeight) {
  const deposited = BigInt(contract.escrow.deposited);
  const chargedAt = new Map();
  for (const settlement of settlements) {
    const height = Number(settlement.lastHeight);
    chargedAt.set(height, (chargedAt.get(height) ?? 0n) + BigInt(settlement.charged));
  }
  const opened = Number(contract.openedHeight);
  const points = [{ height: opened, escrow: deposited }];
  let escrow = deposited;
  for (const height of [...chargedAt.keys()].sort((a, b) => a - b)) {
    escrow -= chargedAt.get(height);
    points.push({ height: Math.max(height, opened), escrow });
  }
  const remaining = BigInt(contract.escrow.remaining);
  const last = points[points.length - 1];
  const end = Math.max(Number(latestHeight) || 0, last.height);
  if (end > last.height || remaining !== last.escrow) points.push({ height: end, escrow: remaining });
  return points;
}
