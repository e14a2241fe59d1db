// What the explorer's browser tests do on either chain: open the page watching for errors, read amounts as the page
// writes them, keep a screenshot, and lease and meter a contract's pods with real signed transactions.
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import type { Wallet } from "ethers";
import type { Page } from "playwright-core";
import type { TxOutcome } from "../../../chain-sidecar/client/chain-client.js";
import { RecordLeaseMsg } from "../../../chain-sidecar/modules/market/market-messages.js";
import type { MeterRecord } from "../../../chain-sidecar/modules/metering/metering-messages.js";
import type { Heartbeat } from "../../../chain-sidecar/modules/poc/poc-messages.js";
import type { MessageSpec } from "../../../chain-sidecar/tx/message-spec.js";
import { meterRecord } from "../../unit/chain-sidecar/modules/market/economy-fixtures.js";
import type { HeadlessChromium } from "./headless-chromium.js";

const ARTIFACTS = "test-artifacts";

/** A pod's row of /settlements/contract/<id>. */
export interface PodSettlement {
  podUid: string;
  fee: string;
  nodeId: string;
  seconds: number;
  charged: string;
  lastHeight: number;
}

/** How the page writes amounts: thousands separators. */
export const shown = (value: string | bigint | number): string => BigInt(value).toLocaleString("en-US");

/** Opens the explorer in a new tab and waits until it is ready; `setUp` runs first (to route requests, say). */
export async function openExplorerPage(
  browser: HeadlessChromium,
  url: string,
  setUp?: (page: Page) => Promise<void>,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await setUp?.(page);
  await page.goto(url);
  await page.waitForSelector("body[data-ready='true']");
  return { page, errors };
}

/** Saves the whole page under test-artifacts/ and checks that something was drawn. */
export async function saveScreenshot(page: Page, fileName: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const screenshot = join(ARTIFACTS, fileName);
  await page.screenshot({ path: screenshot, fullPage: true });
  expect(statSync(screenshot).size).to.be.greaterThan(10_000);
}

/** A heartbeat of a node that reports no usage. */
export const idleHeartbeat = (nodeId: string): Heartbeat => ({
  nodeId,
  cpuMillicores: 0n,
  memoryBytes: 0n,
  storageBytes: 0n,
  bandwidthMbps: 0n,
});

export type Submit = <T>(wallet: Wallet, spec: MessageSpec<T>, message: T) => Promise<TxOutcome>;

/** Pod i of the contract runs as replica i on nodes[i], from `startedAt`. */
export interface PodLeases {
  contractId: string;
  pods: readonly string[];
  nodes: readonly string[];
  startedAt: number;
}

/** The payer records every pod's lease. */
export async function leasePods(submit: Submit, payer: Wallet, leases: PodLeases): Promise<void> {
  for (const [replica, podUid] of leases.pods.entries()) {
    await submit(payer, RecordLeaseMsg, {
      contractId: leases.contractId,
      replica: BigInt(replica),
      nodeId: leases.nodes[replica]!,
      podUid,
      startedAt: BigInt(leases.startedAt),
    });
  }
}

/** The metering record of pod i over [from, to). */
export function podRecord(leases: PodLeases, i: number, from: number, to: number): MeterRecord {
  return meterRecord(leases.pods[i]!, leases.contractId, leases.nodes[i]!, from, to, { replica: BigInt(i) });
}
