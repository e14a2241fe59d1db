// The smallest operator the metering loop runs in: real informer stores, the real transaction submitter over the
// fake chain (with the metering module's billing rule), a fake chain reader over the same chain, a leader flag and
// a clock the test sets.
import { Wallet } from "ethers";
import { Registry } from "prom-client";
import type { Contract } from "../../../../chain-sidecar/modules/market/market-records.js";
import { meteringRoot } from "../../../../chain-sidecar/modules/metering/batch-root.js";
import type { MeteringBatch } from "../../../../chain-sidecar/modules/metering/metering-messages.js";
import { ResultCode } from "../../../../chain-sidecar/tx/result-codes.js";
import { TxError, invalidField } from "../../../../chain-sidecar/tx/tx-error.js";
import { API_VERSION, LABEL, type ContributorNode, type PowerContainer } from "../../../../crds/types.js";
import { TxSubmitter } from "../../../../operator/chain/tx-submitter.js";
import { MeteringLoop } from "../../../../operator/metering/metering-loop.js";
import { MeteringMetrics } from "../../../../operator/metering/metering-metrics.js";
import { SettlementBook } from "../../../../operator/metering/settlement-book.js";
import type { PodUsage, PodUsageSource } from "../../../../operator/metering/pod-usage.js";
import type { EventInput } from "../../../../kube-runtime/event-recorder.js";
import { silentLogger } from "../../../../observability/logger.js";
import { INDEX } from "../../../../operator/operator-context.js";
import type { KubeNode, KubePod, OperatorContext } from "../../../../operator/operator-context.js";
import { POD_ANNOTATION, POD_LABEL } from "../../../../operator/power-container/pod-keys.js";
import { Store } from "../../../../kube-runtime/store.js";
import { FakeChain, type CommittedTx, type FakeState } from "../chain/fake-chain.js";

export const NAMESPACE = "tenant";
export const CONTRACT = "job";
export const CONTRACT_ID = "0123456789abcdef0123";

export const settlementKey = (podUid: string): string => `settlement/${podUid}`;

/** A pod's billing as the chain keeps it. */
export interface Settled {
  billedTo: number;
  /** One token per SCU-second. */
  charged: bigint;
  seconds: number;
}

/** The metering module's billing rule, in short: a record bills only seconds after the pod's last billed one. */
export function meteringRule(state: FakeState, _sender: string, message: unknown): void {
  const batch = message as MeteringBatch;
  if (batch.root.toLowerCase() !== meteringRoot(batch.records))
    throw new TxError(ResultCode.ROOT_MISMATCH, "MeteringBatch.root: not the Merkle root of the records");
  batch.records.forEach((record, i) => {
    const path = `MeteringBatch.records[${i}]`;
    const from = Number(record.fromTime);
    const to = Number(record.toTime);
    if (to <= from) throw invalidField(`${path}.toTime`, `${to} is not after ${from}`);
    const pod = state.get(settlementKey(record.podUid)) as Settled | undefined;
    if (pod !== undefined && from < pod.billedTo) {
      throw new TxError(
        ResultCode.DOUBLE_BILLED,
        `${path}.fromTime: pod ${record.podUid} is billed up to ${pod.billedTo}; ${from} would bill seconds twice`,
      );
    }
    state.set(settlementKey(record.podUid), {
      billedTo: to,
      charged: (pod?.charged ?? 0n) + record.scu * BigInt(to - from),
      seconds: (pod?.seconds ?? 0) + to - from,
    } satisfies Settled);
  });
}

export interface PodPlan {
  name: string;
  contributor: string;
  node: string;
  leaseStart: number;
  scu?: number;
  contractId?: string;
  /** Retired at this second; `leaseEndedAt` once EndLease is on chain. */
  retiredAt?: number;
  leaseEndedAt?: number;
}

export class MeteringWorld {
  readonly chain = new FakeChain({ MeteringBatch: meteringRule });
  readonly operator = new Wallet(`0x${"0f".repeat(32)}`);
  leader = true;
  /** The clock, in unix seconds. */
  now = 10_000;
  readonly pods = new Store<KubePod>();
  readonly powerContainers = new Store<PowerContainer>();
  readonly nodes = new Store<KubeNode>();
  readonly contributorNodes = new Store<ContributorNode>({ [INDEX.byNodeName]: (cn) => [cn.spec.nodeName] });
  readonly contracts = new Map<string, Partial<Contract>>([
    [CONTRACT_ID, { id: CONTRACT_ID, state: "open", endsAt: 1e9 }],
  ]);
  readonly events: EventInput[] = [];
  /** meteredSCUSeconds written to each PowerContainer's status. */
  readonly metered = new Map<string, number>();
  readonly settled: { contracts: string[]; powerContainers: string[] }[] = [];
  readonly book = new SettlementBook();
  readonly metrics = new MeteringMetrics(new Registry());
  /** What each pod (by UID) uses now, as its kubelet would report it; absent: not measured. */
  readonly usage = new Map<string, PodUsage>();
  /** The node names each usage read asked for; `usageFails` makes the next reads throw. */
  readonly usageReads: string[][] = [];
  usageFails = false;
  readonly ctx: OperatorContext;

  constructor(inclusionTimeoutMs = 10_000) {
    this.chain.autoCommit = true;
    const submitter = new TxSubmitter({
      client: this.chain.client,
      watcher: this.chain.watcher,
      inclusionTimeoutMs,
    });
    const fake = {
      runtime: {
        logger: silentLogger(),
        isLeader: () => this.leader,
        events: { record: (_regarding: unknown, event: EventInput) => this.events.push(event) },
        client: {
          // The write, and the informer seeing it.
          mergePatch: (
            _type: unknown,
            ref: { name: string },
            patch: { status: { meteredSCUSeconds: number } },
          ) => {
            const pc = this.powerContainers.get(`${NAMESPACE}/${ref.name}`)!;
            this.powerContainers.upsert({ ...pc, status: { ...pc.status, ...patch.status } });
            this.metered.set(ref.name, patch.status.meteredSCUSeconds);
            return Promise.resolve({});
          },
        },
      },
      chain: {
        reader: {
          market: { contract: (id: string) => Promise.resolve(this.contracts.get(id)) },
          metering: { settlement: (podUid: string) => Promise.resolve(this.settlement(podUid)) },
        },
        keys: { operatorWallet: () => Promise.resolve(this.operator) },
        submitter,
      },
      params: {
        bank: { maxTxBytes: 65_536 },
        metering: { maxRecordsPerBatch: 400 },
        poc: { scuCpuMillicores: 1000, scuMemoryBytes: 2 ** 31 },
      },
      settings: { meteringIntervalMs: 60_000 },
      informers: {
        pods: { store: this.pods },
        powerContainers: { store: this.powerContainers },
        nodes: { store: this.nodes },
        contributorNodes: { store: this.contributorNodes },
      },
      now: () => new Date(this.now * 1000),
    };
    this.ctx = fake as unknown as OperatorContext;
  }

  /** A metering loop as a (re)started operator has it: nothing known but what the chain says. */
  loop(): MeteringLoop {
    const usage: PodUsageSource = {
      read: (nodes) => {
        this.usageReads.push(nodes.map((n) => n.metadata.name!));
        if (this.usageFails) return Promise.reject(new Error("usage read failed"));
        return Promise.resolve(new Map(this.usage));
      },
    };
    return new MeteringLoop(
      this.ctx,
      this.metrics,
      this.book,
      { settled: (contracts, powerContainers) => this.settled.push({ contracts, powerContainers }) },
      usage,
    );
  }

  /** Every record broadcast, in order, as [pod, from, to, cpuMillicores, memoryBytes]. */
  usageRecords(): [string, number, number, number, number][] {
    return this.chain.broadcasts
      .filter((b) => b.type === "MeteringBatch")
      .flatMap((b) =>
        (b.message as MeteringBatch).records.map(
          (r) =>
            [
              r.podUid,
              Number(r.fromTime),
              Number(r.toTime),
              Number(r.cpuMillicores),
              Number(r.memoryBytes),
            ] as [string, number, number, number, number],
        ),
      );
  }

  settlement(podUid: string): Settled | undefined {
    return this.chain.read(settlementKey(podUid)) as Settled | undefined;
  }

  /** A Node, Ready or (since `notReadySince`) not. */
  addNode(name: string, notReadySince?: number): void {
    const ready =
      notReadySince === undefined
        ? { type: "Ready", status: "True" }
        : { type: "Ready", status: "False", lastTransitionTime: new Date(notReadySince * 1000) };
    this.nodes.upsert({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name },
      status: { conditions: [ready] },
    });
  }

  /** A leased pod (uid `uid-<name>`) and its PowerContainer. */
  addPod(plan: PodPlan): void {
    const annotations: Record<string, string> = {
      [POD_ANNOTATION.contractId]: plan.contractId ?? CONTRACT_ID,
      [POD_ANNOTATION.contributor]: plan.contributor,
      [POD_ANNOTATION.leaseNode]: plan.node,
      [POD_ANNOTATION.leaseStart]: String(plan.leaseStart),
      [POD_ANNOTATION.scu]: String(plan.scu ?? 1),
    };
    if (plan.retiredAt !== undefined) annotations[POD_ANNOTATION.retiredAt] = String(plan.retiredAt);
    if (plan.leaseEndedAt !== undefined) annotations[POD_ANNOTATION.leaseEndedAt] = String(plan.leaseEndedAt);
    const labels = {
      [LABEL.contract]: CONTRACT,
      [LABEL.powerContainer]: plan.name,
      [POD_LABEL.replica]: "0",
    };
    this.pods.upsert({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: plan.name, namespace: NAMESPACE, uid: `uid-${plan.name}`, labels, annotations },
      spec: { nodeName: plan.node },
      status: { phase: "Running" },
    });
    this.powerContainers.upsert({
      apiVersion: API_VERSION,
      kind: "PowerContainer",
      metadata: { name: plan.name, namespace: NAMESPACE, labels: { [LABEL.contract]: CONTRACT } },
      spec: { image: "busybox", size: { scu: plan.scu ?? 1 } },
    });
  }

  /** Every MeteringBatch broadcast, in order: its contributor, outcome and records as [pod, from, to, scu]. */
  batches(): {
    contributor: string;
    outcome: string;
    code: number;
    records: [string, number, number, number][];
  }[] {
    return this.chain.broadcasts
      .filter((b) => b.type === "MeteringBatch")
      .map((b) => ({ ...recordsOf(b), outcome: b.outcome, code: b.code }));
  }

  committedBatches(): CommittedTx[] {
    return this.chain.blocks.flatMap((block) => block.txs).filter((tx) => tx.type === "MeteringBatch");
  }
}

export function recordsOf(tx: { message: unknown }): {
  contributor: string;
  records: [string, number, number, number][];
} {
  const batch = tx.message as MeteringBatch;
  return {
    contributor: batch.contributor,
    records: batch.records.map((r) => [r.podUid, Number(r.fromTime), Number(r.toTime), Number(r.scu)]),
  };
}
