// Epochs keyed on height: block hooks run only in blocks with transactions, so an epoch whose boundary height had
// none is due at the first block after it that has.

/** The boundary (a multiple of `epochBlocks`) at or below `height` when it is later than `lastEpochHeight`. */
export function dueEpochBoundary(
  height: number,
  epochBlocks: number,
  lastEpochHeight: number,
): number | undefined {
  const boundary = height - (height % epochBlocks);
  return boundary > lastEpochHeight ? boundary : undefined;
}
