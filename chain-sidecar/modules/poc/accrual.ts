// Accumulation of a node's total PoC with halving every T blocks, kept lazily so no block touches every node.
//
// A stored total is expressed as of halving epoch floor(accruedTo / T). The halving at a boundary height B
// (a multiple of T) applies to everything accrued at heights ≤ B; reading the total at a later height
// shifts it right once per boundary passed since (integer halving rounds down).

export interface AccruedTotal {
  readonly total: bigint;
  readonly totalEpoch: number;
  readonly accruedTo: number;
}

export function halvingEpoch(height: number, halvingBlocks: number): number {
  return Math.floor(height / halvingBlocks);
}

/** The total as seen at `height`, without new accrual. */
export function totalAt(accrued: AccruedTotal, height: number, halvingBlocks: number): bigint {
  const shift = halvingEpoch(height, halvingBlocks) - accrued.totalEpoch;
  return shift > 0 ? accrued.total >> BigInt(shift) : accrued.total;
}

/** Adds `ratePerBlock` for every block in (accruedTo, toHeight], halving at each boundary crossed. */
export function accrue(
  accrued: AccruedTotal,
  ratePerBlock: bigint,
  toHeight: number,
  halvingBlocks: number,
): AccruedTotal {
  let { total, totalEpoch: epoch, accruedTo: height } = accrued;
  while (height < toHeight) {
    const boundary = (epoch + 1) * halvingBlocks;
    const segmentEnd = Math.min(boundary, toHeight);
    total += ratePerBlock * BigInt(segmentEnd - height);
    height = segmentEnd;
    if (segmentEnd === boundary) {
      total >>= 1n;
      epoch += 1;
    }
  }
  return { total, totalEpoch: epoch, accruedTo: height };
}

/** Moves the accrual point to `height` without adding anything (the blocks in between were offline). */
export function skipTo(accrued: AccruedTotal, height: number, halvingBlocks: number): AccruedTotal {
  if (height <= accrued.accruedTo) return accrued;
  return {
    total: totalAt(accrued, height, halvingBlocks),
    totalEpoch: halvingEpoch(height, halvingBlocks),
    accruedTo: height,
  };
}
