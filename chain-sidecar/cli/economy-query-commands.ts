// `uranus query contract|contracts|breaches|contributor|contributors|poc|proposals|cluster|order`: the economy's
// state (settlements: settlement-query-commands.ts).
import type { Command } from "commander";
import { contractIdFor } from "../modules/market/market-records.js";
import { contractIdArgument } from "./economy-arguments.js";
import { printFields, printJson, printTable, type ChainCliOptions } from "./cli-context.js";
import { resolveAccount } from "./query-commands.js";
import { show } from "./query-display.js";

type Json = Record<string, unknown>;

interface ContractView extends Json {
  id: string;
  payer: string;
  clusterId: string;
  clientRef: string;
  operator: string;
  state: string;
  closeReason: string;
  scuPerReplica: number;
  replicas: number;
  maxPricePerScuHour: string;
  billing: string;
  openedAt: number;
  endsAt: number;
  escrow: { deposited: string; spent: string; remaining: string; refunded: string; unpaid: string };
  activeLeases: number;
  migrations: number;
  breaches: number;
}

interface NodeView extends Json {
  nodeId: string;
  owner: string;
  region: string;
  isolation: string;
  pricePerScuHour: string;
  online: boolean;
  activeLeases: number;
  completedLeases: number;
  breaches: number;
  poc: { basic: string; service: string; chain: string; rate: string; total: string };
}

function contractRows(list: ContractView[]): (string | number)[][] {
  return list.map((c) => [
    c.id,
    c.state,
    c.payer,
    `${c.replicas} × ${c.scuPerReplica}`,
    c.escrow.remaining,
    c.escrow.spent,
    c.activeLeases,
  ]);
}

const CONTRACT_HEAD = ["contract", "state", "payer", "replicas × SCU", "escrow", "spent", "leases"];

function nodeRows(list: NodeView[]): (string | number)[][] {
  return list.map((n) => [
    n.nodeId,
    n.owner,
    n.region,
    n.online ? "online" : "offline",
    n.pricePerScuHour,
    n.poc.total,
    n.activeLeases,
  ]);
}

const NODE_HEAD = ["node", "owner", "region", "status", "price/SCU-h", "PoC total", "leases"];

interface ContractLookup {
  payer?: string;
  ref?: string;
  cluster: string;
}

/** The id given, or the one derived from (payer, cluster, reference) as the chain derives it at opening. */
function contractIdOf(given: string | undefined, opts: ContractLookup, options: ChainCliOptions): string {
  const byReference = opts.payer !== undefined || opts.ref !== undefined;
  if (given !== undefined && byReference)
    throw new Error("give a contract id, or --payer and --ref, not both");
  if (given !== undefined) return given;
  if (opts.payer === undefined || opts.ref === undefined)
    throw new Error("give a contract id, or both --payer and --ref");
  return contractIdFor(resolveAccount(opts.payer, options), opts.cluster, opts.ref);
}

export function registerEconomyQueryCommands(query: Command): void {
  query
    .command("contract")
    .description(
      "one contract: terms, state, escrow and active leases; by id, or by payer and client reference",
    )
    .argument("[contract]", "contract id", contractIdArgument)
    .option("--payer <address-or-key>", "the payer that opened it (with --ref)")
    .option("--ref <reference>", "what it stands for, e.g. the ComputeContract's UID (with --payer)")
    .option("--cluster <id>", "the member cluster it was opened from (with --payer and --ref)", "")
    .action(async (given: string | undefined, opts: ContractLookup, command: Command) => {
      await show(
        command,
        (options) => `/contract/${contractIdOf(given, opts, options)}/view`,
        (value) => {
          const { contract: c, leases } = value as { contract: ContractView; leases: Json[] };
          printFields([
            ["contract", c.id],
            ["state", c.closeReason ? `${c.state} (${c.closeReason})` : c.state],
            ["payer", c.payer],
            ["reference", c.clusterId ? `${c.clusterId}/${c.clientRef}` : c.clientRef],
            ["operator", c.operator || "none"],
            ["replicas × SCU", `${c.replicas} × ${c.scuPerReplica}`],
            ["max price/SCU-h", c.maxPricePerScuHour],
            ["billing", c.billing],
            [
              "runs",
              `${new Date(c.openedAt * 1000).toISOString()} – ${new Date(c.endsAt * 1000).toISOString()}`,
            ],
            ["deposited", c.escrow.deposited],
            ["spent", c.escrow.spent],
            ["escrow", c.escrow.remaining],
            ["refunded", c.escrow.refunded],
            ["unpaid", c.escrow.unpaid],
            ["migrations", c.migrations],
            ["breaches", c.breaches],
          ]);
          if (leases.length > 0) {
            printTable(
              ["replica", "pod", "node", "price/SCU-h", "since"],
              leases.map((l) => [
                String(l.replica),
                String(l.podUid),
                String(l.nodeId),
                String(l.pricePerScuHour),
                String(l.startedAt),
              ]),
            );
          }
        },
      );
    });

  query
    .command("contracts")
    .description("the contracts one payer opened")
    .requiredOption("--payer <address-or-key>", "payer 0x address or keyring key name")
    .action(async (opts: { payer: string }, command: Command) => {
      await show(
        command,
        (options) => `/contracts/payer/${resolveAccount(opts.payer, options)}`,
        (value) => printTable(CONTRACT_HEAD, contractRows(value as ContractView[])),
      );
    });

  query
    .command("breaches")
    .description("the SLA breaches recorded for a contract: pod, kind, node, replica, seconds")
    .argument("<contract>", "contract id", contractIdArgument)
    .action(async (contractId: string, _opts: unknown, command: Command) => {
      await show(
        command,
        () => `/breaches/contract/${contractId}`,
        (value) =>
          printTable(
            ["pod", "kind", "node", "replica", "seconds"],
            (value as Json[]).map((b) =>
              ["podUid", "kind", "nodeId", "replica", "seconds"].map((k) => String(b[k])),
            ),
          ),
      );
    });

  query
    .command("contributor")
    .description("one contributor node with its PoC scores")
    .argument("<node>", "node id")
    .action(async (nodeId: string, _opts: unknown, command: Command) => {
      await show(
        command,
        () => `/poc/node/${nodeId}`,
        (value) => {
          const n = value as NodeView;
          printFields([
            ["node", n.nodeId],
            ["owner", n.owner],
            ["region", n.region],
            ["isolation", n.isolation],
            ["status", n.online ? "online" : "offline"],
            ["price/SCU-h", n.pricePerScuHour],
            ["leases", `${n.activeLeases} active, ${n.completedLeases} completed, ${n.breaches} breaches`],
            ["PoC basic", n.poc.basic],
            ["PoC service", n.poc.service],
            ["PoC chain", n.poc.chain],
            ["PoC per block", n.poc.rate],
            ["PoC total", n.poc.total],
          ]);
        },
      );
    });

  query
    .command("contributors")
    .description("contributor nodes with their PoC totals")
    .option("--owner <address-or-key>", "only the nodes of this owner")
    .action(async (opts: { owner?: string }, command: Command) => {
      await show(
        command,
        (options) =>
          opts.owner === undefined
            ? "/contributors"
            : `/contributors/owner/${resolveAccount(opts.owner, options)}`,
        (value) => printTable(NODE_HEAD, nodeRows(value as NodeView[])),
      );
    });

  query
    .command("poc")
    .description("resource coefficients, estimated demand, load and online supply")
    .action(async (_opts: unknown, command: Command) => {
      await show(
        command,
        () => "/poc",
        (value) => {
          const e = value as {
            coefficientsPpm: Record<string, string>;
            loadPpm: Record<string, string>;
            supply: { onlineNodes: number; capacity: Record<string, string> };
            demandScuPerBlockMicro: string;
            coefficientsUpdatedHeight: number;
          };
          printTable(
            ["resource", "coefficient (ppm)", "load (ppm)", "online supply"],
            Object.keys(e.coefficientsPpm)
              .sort()
              .map((r) => [r, e.coefficientsPpm[r]!, e.loadPpm[r]!, e.supply.capacity[r]!]),
          );
          printFields([
            ["online nodes", e.supply.onlineNodes],
            ["demand (SCU/block × 1e6)", e.demandScuPerBlockMicro],
            ["updated at height", e.coefficientsUpdatedHeight],
          ]);
        },
      );
    });

  query
    .command("cluster")
    .description("one federation member cluster: operator, regions, runtimes, capacity and liveness (JSON)")
    .argument("<id>", "cluster id")
    .action(async (id: string, _opts: unknown, command: Command) => {
      await show(command, () => `/cluster/${id}`, printJson);
    });

  query
    .command("order")
    .description(
      "the federation order of a contract: where it runs, in which epoch, and what was reported (JSON)",
    )
    .argument("<contract>", "contract id", contractIdArgument)
    .action(async (contractId: string, _opts: unknown, command: Command) => {
      await show(command, () => `/order/${contractId}`, printJson);
    });

  query
    .command("proposals")
    .description("parameter-change proposals and their approvals")
    .action(async (_opts: unknown, command: Command) => {
      await show(
        command,
        () => "/proposals",
        (value) =>
          printTable(
            ["proposal", "status", "changes", "approved power", "total power", "expires at"],
            (value as Json[]).map((p) => [
              String(p.id),
              String(p.status),
              (p.changes as { module: string; name: string; value: string }[])
                .map((c) => `${c.module}.${c.name}=${c.value}`)
                .join(", "),
              String(p.approvedPower),
              String(p.totalPower),
              String(p.expiresAt),
            ]),
          ),
      );
    });
}
