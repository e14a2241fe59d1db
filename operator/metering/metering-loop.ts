// Every metering interval (or sooner when a retired pod waits for its final bill): for each contributor, one
// batch transaction with a record per leased pod covering the seconds since its last committed record, up to now,
// its failure moment or its lease end. At-least-once sending with exactly-once billing: a record starts where the
// chain says the pod's billing stands, and the chain refuses a record of seconds already billed (DOUBLE_BILLED), so
// a batch whose outcome is unknown, or one an earlier process left in flight, can never be billed twice.
// Each full round also samples what the leased pods on real kubelets use (pod-usage.ts); a record carries the mean of
// its interval's samples (usage-samples.ts), and none when there are none, so the chain bills it as reserved.
import { MeteringBatchMsg, meteringRoot } from "../../chain-sidecar/modules/metering/metering-types.js";
import { ChainTxError } from "../../chain-sidecar/client/chain-errors.js";
import { FIELD_MANAGER, LABEL, type PowerContainer } from "../../crds/types.js";
import type { Contract } from "../../chain-sidecar/modules/market/market-types.js";
import type { IncludedTx } from "../chain/block-watcher.js";
import { describeChainFailure } from "../chain/chain-failure.js";
import { TxOutcomeUnknown } from "../chain/tx-submitter.js";
import type { BillingTrigger } from "../pod-billing/pod-billing-reconciler.js";
import type { Logger } from "../../observability/logger.js";
import { INDEX, type KubePod, type OperatorContext } from "../operator-context.js";
import { judgePlacement } from "../power-container/placement-health.js";
import { isRetired, unixSeconds } from "../power-container/pod-retirement.js";
import { POD_ANNOTATION, POD_LABEL } from "../power-container/pod-keys.js";
import { conditionTime } from "../../kube-runtime/conditions.js";
import { isConflict } from "../../kube-runtime/kube-api-error.js";
import { POWER_CONTAINER } from "../uranus-resources.js";
import { BillingLedger } from "./billing-ledger.js";
import { meterRecord, planBatches, type BillablePod } from "./batch-plan.js";
import type { MeteringMetrics } from "./metering-metrics.js";
import { PodUsageReader, type PodUsageSource } from "./pod-usage.js";
import type { SettlementBook } from "./settlement-book.js";
import { UsageSamples, withinChainLimits } from "./usage-samples.js";

/** Told which objects a committed batch changed, so their status can show it. */
export interface MeteringListener {
  settled(contractKeys: string[], powerContainerKeys: string[]): void;
}

interface PodFacts {
  pod: KubePod;
  contractKey: string;
  pcKey: string;
  leaseStart: number;
  /** What the chain had charged the pod when this record was planned. */
  chargedBefore: bigint;
  billable: BillablePod;
}

/** At most this many batches in flight at once. */
const BATCH_CONCURRENCY = 16;
/** Early rounds (for final bills) come at most this often. */
const MIN_ROUND_GAP_MS = 500;

export class MeteringLoop implements BillingTrigger {
  private readonly ledger: BillingLedger;
  private readonly samples = new UsageSamples();
  private readonly usage: PodUsageSource;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** The next round bills only retired pods (a final bill), so running pods keep one batch per interval. */
  private finalOnly = false;
  private nextIntervalAt = 0;
  private stopped = true;
  private lastRoundEnd = 0;

  constructor(
    private readonly ctx: OperatorContext,
    private readonly metrics: MeteringMetrics,
    private readonly book: SettlementBook,
    private readonly listener: MeteringListener,
    usage?: PodUsageSource,
  ) {
    this.ledger = new BillingLedger(ctx.chain.reader);
    this.log = ctx.runtime.logger.child({ component: "metering" });
    this.usage = usage ?? new PodUsageReader(ctx.runtime.client, this.log);
  }

  start(): void {
    this.stopped = false;
    this.nextIntervalAt = performance.now();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }

  requestFlush(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    const wait = Math.max(0, this.lastRoundEnd + MIN_ROUND_GAP_MS - performance.now());
    if (performance.now() + wait < this.nextIntervalAt) this.finalOnly = true;
    this.schedule(wait);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const finalOnly = this.finalOnly && performance.now() < this.nextIntervalAt;
      this.finalOnly = false;
      if (!finalOnly) this.nextIntervalAt = performance.now() + this.ctx.settings.meteringIntervalMs;
      this.running = this.round(finalOnly).finally(() => {
        this.running = undefined;
        this.lastRoundEnd = performance.now();
        if (this.again) {
          this.again = false;
          this.finalOnly = true;
          this.schedule(MIN_ROUND_GAP_MS);
        } else this.schedule(Math.max(0, this.nextIntervalAt - performance.now()));
      });
    }, delayMs);
  }

  /** One round (of retired pods only, for final bills, or of all); only while this replica leads. */
  async round(finalOnly = false): Promise<void> {
    if (!this.ctx.runtime.isLeader()) return;
    const started = performance.now();
    try {
      const billable = await this.collect(finalOnly);
      const batches = planBatches(
        billable.map((f) => f.billable),
        {
          maxRecordsPerBatch: this.ctx.params.metering.maxRecordsPerBatch,
          maxTxBytes: this.ctx.params.bank.maxTxBytes,
        },
      );
      const byUid = new Map(billable.map((f) => [f.billable.podUid, f]));
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          await this.send(
            batch.contributor,
            batch.records.map((r) => byUid.get(r.podUid)!),
          );
        }
      };
      await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, batches.length) }, worker));
      if (!finalOnly) {
        const live = new Set(billable.map((f) => f.billable.podUid));
        this.ledger.retain(live);
        this.samples.retain(live);
      }
    } catch (error) {
      this.log.warn(
        { err: error, ...describeChainFailure(error) },
        "metering round failed; retrying next round",
      );
    } finally {
      this.metrics.roundSeconds.observe((performance.now() - started) / 1000);
    }
  }

  /** Every leased pod with seconds that may be billed now. */
  private async collect(finalOnly: boolean): Promise<PodFacts[]> {
    const now = unixSeconds(this.ctx.now());
    if (!finalOnly) await this.sample(now);
    const contracts = new Map<string, Contract | undefined>();
    const facts: PodFacts[] = [];
    for (const pod of this.ctx.informers.pods.store.list()) {
      const annotations = pod.metadata.annotations ?? {};
      const leaseStartText = annotations[POD_ANNOTATION.leaseStart];
      const contractId = annotations[POD_ANNOTATION.contractId];
      const contributor = annotations[POD_ANNOTATION.contributor];
      const nodeId = annotations[POD_ANNOTATION.leaseNode];
      if (
        leaseStartText === undefined ||
        contractId === undefined ||
        contributor === undefined ||
        nodeId === undefined
      )
        continue;
      let until: number;
      if (finalOnly && !isRetired(pod)) continue;
      if (isRetired(pod)) {
        // Until EndLease fixed the last second, a retired pod's end is not final: wait for it.
        const endedAt = annotations[POD_ANNOTATION.leaseEndedAt];
        if (endedAt === undefined) continue;
        until = Number(endedAt);
      } else {
        until = now;
        const pcName = pod.metadata.labels?.[LABEL.powerContainer];
        const pc = this.ctx.informers.powerContainers.store.get(`${pod.metadata.namespace}/${pcName}`);
        if (pc !== undefined) {
          const node = this.ctx.informers.nodes.store.get(nodeId);
          const cn = this.ctx.informers.contributorNodes.store.byIndex(INDEX.byNodeName, nodeId)[0];
          const verdict = judgePlacement(nodeId, node, cn, pc.spec, this.ctx.now());
          if (verdict.failed) until = Math.min(until, unixSeconds(verdict.since));
        }
      }
      if (!contracts.has(contractId))
        contracts.set(contractId, await this.ctx.chain.reader.market.contract(contractId));
      const contract = contracts.get(contractId);
      if (contract === undefined || contract.state === "closed") continue;
      until = Math.min(until, contract.endsAt);
      const leaseStart = Number(leaseStartText);
      const billing = await this.ledger.of(pod.metadata.uid!, leaseStart);
      const scu = Number(annotations[POD_ANNOTATION.scu] ?? "1");
      const usage = this.samples.average(pod.metadata.uid!, billing.billedTo, until);
      facts.push({
        pod,
        contractKey: `${pod.metadata.namespace}/${pod.metadata.labels?.[LABEL.contract]}`,
        pcKey: `${pod.metadata.namespace}/${pod.metadata.labels?.[LABEL.powerContainer]}`,
        leaseStart,
        chargedBefore: billing.charged,
        billable: {
          podUid: pod.metadata.uid!,
          contractId,
          replica: Number(pod.metadata.labels?.[POD_LABEL.replica] ?? "0"),
          nodeId,
          contributor,
          scu,
          billedTo: billing.billedTo,
          billUntil: until,
          ...(usage === undefined ? {} : { usage: withinChainLimits(usage, scu, this.ctx.params.poc) }),
        },
      });
    }
    return facts;
  }

  /** One usage sample, at `now`, of every running leased pod on a node with a real kubelet. */
  private async sample(now: number): Promise<void> {
    const running = this.ctx.informers.pods.store
      .list()
      .filter((pod) => pod.metadata.annotations?.[POD_ANNOTATION.leaseNode] !== undefined && !isRetired(pod));
    const names = new Set(running.map((pod) => pod.metadata.annotations![POD_ANNOTATION.leaseNode]!));
    const nodes = [...names].flatMap((name) => this.ctx.informers.nodes.store.get(name) ?? []);
    try {
      const usage = await this.usage.read(nodes);
      for (const pod of running) {
        const sample = usage.get(pod.metadata.uid!);
        if (sample !== undefined) this.samples.add(pod.metadata.uid!, now, sample);
      }
    } catch (error) {
      this.log.warn({ err: error }, "could not sample pod usage; this round's records go unmeasured");
    }
  }

  private async send(contributor: string, pods: PodFacts[]): Promise<void> {
    const wallet = await this.ctx.chain.keys.operatorWallet();
    let batch = pods;
    for (let attempt = 0; batch.length > 0 && attempt < 2; attempt++) {
      const records = batch.map((f) => meterRecord(f.billable));
      try {
        const included = await this.ctx.chain.submitter.submit(wallet, MeteringBatchMsg, {
          contributor,
          root: meteringRoot(records),
          records,
        });
        this.metrics.batches.inc({ result: "committed" });
        this.metrics.batchRecords.observe(records.length);
        await this.committed(batch, included);
        return;
      } catch (error) {
        // Whatever happened, these pods' billing is read from chain again before their next record.
        for (const fact of batch) this.ledger.forget(fact.billable.podUid);
        if (error instanceof TxOutcomeUnknown) {
          this.metrics.batches.inc({ result: "unknown" });
          return;
        }
        if (!(error instanceof ChainTxError)) {
          this.metrics.batches.inc({ result: "error" });
          throw error;
        }
        this.metrics.batches.inc({ result: "rejected" });
        const culprit = /MeteringBatch\.records\[(\d+)\]/.exec(error.log);
        const bad = culprit === null ? undefined : batch[Number(culprit[1])];
        this.log.warn(
          { contributor, code: error.codeName, log: error.log, pod: bad?.pod.metadata.name },
          "metering batch refused",
        );
        if (bad === undefined) return;
        const pc = this.ctx.informers.powerContainers.store.get(bad.pcKey);
        this.ctx.runtime.events.record(pc ?? bad.pod, {
          type: "Warning",
          reason: "MeteringRefused",
          action: "MeteringBatch",
          note: `the chain refused the record of pod ${bad.pod.metadata.name}: ${error.codeName}: ${error.log}`,
        });
        // The others are fine; bill them now, the refused one again once re-read from chain.
        batch = batch.filter((fact) => fact !== bad);
      }
    }
  }

  private async committed(batch: PodFacts[], included: IncludedTx): Promise<void> {
    const charges = new Map<string, bigint>();
    const scuSeconds = new Map<string, number>();
    for (const fact of batch) {
      // Not the ledger's entry: a refused first try of this batch made the ledger forget it.
      const after = await this.ledger.refresh(fact.billable.podUid, fact.leaseStart);
      const charged = after.charged - fact.chargedBefore;
      this.samples.billed(fact.billable.podUid, fact.billable.billUntil);
      charges.set(fact.billable.contractId, (charges.get(fact.billable.contractId) ?? 0n) + charged);
      const seconds = (fact.billable.billUntil - fact.billable.billedTo) * fact.billable.scu;
      scuSeconds.set(fact.pcKey, (scuSeconds.get(fact.pcKey) ?? 0) + seconds);
      this.metrics.billedScuSeconds.inc(seconds);
      this.metrics.settledAmount.inc(Number(charged));
    }
    const time = conditionTime(included.blockTime);
    for (const [contractId, amount] of [...charges.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      this.book.record(contractId, {
        height: included.height,
        time,
        amount: amount.toString(),
        txHash: included.hash,
      });
    }
    for (const [pcKey, seconds] of scuSeconds) await this.addMetered(pcKey, seconds);
    this.listener.settled(
      [...new Set(batch.map((f) => f.contractKey))].sort(),
      [...scuSeconds.keys()].sort(),
    );
  }

  /** Adds to the PowerContainer's meteredSCUSeconds, guarded so two writers never lose an addition. */
  private async addMetered(pcKey: string, scuSeconds: number): Promise<void> {
    const [namespace, name] = pcKey.split("/") as [string, string];
    let pc: PowerContainer | undefined = this.ctx.informers.powerContainers.store.get(pcKey);
    for (let attempt = 0; pc !== undefined && attempt < 3; attempt++) {
      try {
        await this.ctx.runtime.client.mergePatch(
          POWER_CONTAINER,
          { namespace, name },
          {
            metadata: { resourceVersion: pc.metadata.resourceVersion },
            status: { meteredSCUSeconds: (pc.status?.meteredSCUSeconds ?? 0) + scuSeconds },
          },
          { subresource: "status", fieldManager: FIELD_MANAGER },
        );
        return;
      } catch (error) {
        if (!isConflict(error)) {
          this.log.warn({ err: error, powerContainer: pcKey }, "could not add metered SCU-seconds");
          return;
        }
        pc = await this.ctx.runtime.client.get<PowerContainer>(POWER_CONTAINER, { namespace, name });
      }
    }
  }
}
