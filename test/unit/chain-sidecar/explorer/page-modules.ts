// The page's own ES modules are plain JavaScript served as they are; the tests load them from the same files.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Ethers from "ethers";
import type { ExplorerCatalog } from "../../../../chain-sidecar/explorer/explorer-catalog.js";
import { STATIC_DIR } from "../../../../chain-sidecar/explorer/static-assets.js";

export interface DecodedPageTx {
  hash: string;
  sizeBytes: number;
  typeId?: number;
  type: string;
  nonce?: number;
  chainId?: string;
  message?: Record<string, unknown>;
  sender?: string;
  problem?: string;
}

export interface TxDecoderModule {
  createTxDecoder(ethers: typeof Ethers, catalog: ExplorerCatalog): (base64Tx: string) => DecodedPageTx;
  messageSummary(message: unknown): string;
  messageJson(message: unknown): string;
}

export interface SvgChartsModule {
  escapeMarkup(text: string): string;
  niceStep(span: number, count: number, minStep?: number): number;
  ticks(min: number, max: number, count: number, minStep?: number): number[];
  stepChart(options: {
    id: string;
    title: string;
    description: string;
    points: { x: number; y: number }[];
    xLabel: string;
    yLabel: string;
  }): string;
  barChart(options: {
    id: string;
    title: string;
    description: string;
    bars: { label: string; value: number; className?: string }[];
    xLabel: string;
    yLabel: string;
  }): string;
}

export interface EscrowContract {
  openedHeight: number;
  escrow: { deposited: string; remaining: string };
}

export interface EscrowHistoryModule {
  escrowByHeight(
    contract: EscrowContract,
    settlements: { charged: string; lastHeight: number }[],
    latestHeight: number,
  ): { height: number; escrow: bigint }[];
}

export interface DisplayFormatModule {
  amount(value: string | bigint | number | undefined): string;
  decimal(value: string | bigint | undefined, unit: bigint, places?: number): string;
  shortHex(value: string, head?: number, tail?: number): string;
  duration(seconds: number): string;
  percentOf(part: string, whole: string): number;
  ppmPoints(value: string | bigint): string;
}

export interface PocTiersModule {
  tiersFromPlacement(placement: { ranking: { nodeId: string; tier: number }[] }): Map<string, number>;
  tierName(tier: number | undefined): string;
  tierDistribution(
    nodes: { nodeId: string }[],
    tiers: Map<string, number>,
    tierCount: number,
  ): { label: string; value: number; className?: string }[];
}

export interface ContractsViewModule {
  podRows(
    settlements: { podUid: string }[],
    leases: { podUid: string }[],
  ): { podUid: string; settled: boolean }[];
  byOpenedHeight(a: { id: string; openedHeight: number }, b: { id: string; openedHeight: number }): number;
  withArchived(settlements: { podUid: string }[], archived: { podUid: string }[]): { podUid: string }[];
  lastSettledCell(pod: {
    settled: boolean;
    lastHeight?: number;
    archived?: { height: number; appHash: string };
  }): string;
}

export interface LiveFeedModule {
  txResultsOf(results: unknown): unknown[];
}

export interface RefreshRoundsModule {
  refreshRounds(
    work: () => Promise<unknown>,
    options?: { minIntervalMs?: number; onError?: (error: unknown) => void },
  ): () => Promise<void>;
}

/** The shape each file under static/ exports, as far as the tests use it. */
interface PageModuleByFile {
  "tx-decoder.js": TxDecoderModule;
  "svg-charts.js": SvgChartsModule;
  "escrow-history.js": EscrowHistoryModule;
  "display-format.js": DisplayFormatModule;
  "poc-tiers.js": PocTiersModule;
  "contracts-view.js": ContractsViewModule;
  "live-feed.js": LiveFeedModule;
  "refresh-rounds.js": RefreshRoundsModule;
}

type PageFile = keyof PageModuleByFile;

/** Imports static/<name> for each name, in order. */
export async function loadPageModules<const Names extends readonly PageFile[]>(
  ...names: Names
): Promise<{ -readonly [I in keyof Names]: PageModuleByFile[Names[I]] }> {
  const modules = await Promise.all(
    names.map(async (name) => (await import(pathToFileURL(join(STATIC_DIR, name)).href)) as unknown),
  );
  return modules as { -readonly [I in keyof Names]: PageModuleByFile[Names[I]] };
}
