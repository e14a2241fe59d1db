// `uranus query pod|settlements`: what pods were billed, live in state or archived, a pod's optionally proven.
import type { Command } from "commander";
import { contractIdArgument } from "./economy-arguments.js";
import { fixedPoint, printFields, printTable } from "./cli-context.js";
import { resolveAccount } from "./query-commands.js";
import { show } from "./query-display.js";

type Json = Record<string, unknown>;

const GIB = 1n << 30n;

/**
 * Where a settlement can be checked: for an archived one (no longer in consensus state) its last height and app
 * hash; with --prove, that its Merkle proof was checked against the app hash of the height shown.
 */
function provenanceFields(p: Json): [string, string][] {
  const fields: [string, string][] = [];
  const archived = p.archived as { height: number; appHash: string } | undefined;
  if (archived !== undefined)
    fields.push(["archived", `yes: as committed at height ${archived.height}, app hash ${archived.appHash}`]);
  const proof = p.proof as { height: number } | undefined;
  if (proof !== undefined) fields.push(["proof", `verified at height ${proof.height}`]);
  return fields;
}

/** Used CPU in core-seconds and memory in GiB-seconds, from a settlement's exact integer sums. */
function usedFields(p: Json): [string, string][] {
  return [
    ["cpuCoreSeconds", fixedPoint(String(p.cpuMilliSeconds), 1000n)],
    ["memoryGiBSeconds", fixedPoint(String(p.memoryByteSeconds), GIB)],
  ];
}

export function registerSettlementQueryCommands(query: Command): void {
  query
    .command("pod")
    .description("one pod's settlement: billed seconds, used CPU and memory, charged, fee, unpaid")
    .argument("<pod-uid>", "the pod's UID")
    .option(
      "--prove",
      "verify its Merkle proof against the next block's app hash (archived: where it last was)",
    )
    .action(async (podUid: string, opts: { prove?: boolean }, command: Command) => {
      await show(
        command,
        () => `/settlement/pod/${podUid}`,
        (value) => {
          const p = value as Json;
          const field = (k: string): [string, string] => [k, String(p[k])];
          printFields([
            ...["podUid", "contractId", "replica", "nodeId", "contributor", "scu", "pricePerScuHour"].map(
              field,
            ),
            ...["billing", "firstFrom", "billedTo", "seconds", "measuredSeconds"].map(field),
            ...usedFields(p),
            ...["charged", "fee", "unpaid", "intervals", "lastBatch"].map(field),
            ...provenanceFields(p),
          ]);
        },
        opts.prove === true,
      );
    });

  query
    .command("settlements")
    .description("pod settlements of a contract or of a contributor, a page at a time")
    .option("--contract <id>", "contract id", contractIdArgument)
    .option("--contributor <address-or-key>", "contributor 0x address or keyring key name")
    .option("--after <pod-uid>", "start after this pod UID (the previous page's next)")
    .action(async (opts: { contract?: string; contributor?: string; after?: string }, command: Command) => {
      if ((opts.contract === undefined) === (opts.contributor === undefined))
        throw new Error("give exactly one of --contract or --contributor");
      await show(
        command,
        (options) => {
          const base =
            opts.contract !== undefined
              ? `/settlements/contract/${opts.contract}`
              : `/settlements/contributor/${resolveAccount(opts.contributor!, options)}`;
          return opts.after === undefined ? base : `${base}/after/${opts.after}`;
        },
        (value) => {
          const page = value as { settlements: Json[]; next: string | null };
          printTable(
            ["pod", "contract", "node", "seconds", "CPU core-s", "memory GiB-s", "charged", "fee", "unpaid"],
            page.settlements.map((s) => {
              const cell = (k: string): string => String(s[k]);
              const used = usedFields(s).map(([, v]) => v);
              return [cell("podUid"), cell("contractId"), cell("nodeId"), cell("seconds"), ...used].concat(
                ["charged", "fee", "unpaid"].map(cell),
              );
            }),
          );
          if (page.next !== null) process.stdout.write(`more: --after ${page.next}\n`);
        },
      );
    });
}
