// `uranus tx contract open|topup|resize|close|rate|lease|end-lease|breach`: a consumer's contracts and their leases.
import { randomUUID } from "node:crypto";
import { Option, type Command } from "commander";
import { ZeroAddress } from "ethers";
import * as market from "../modules/market/market-messages.js";
import { contractIdFor } from "../modules/market/market-records.js";
import { addressArgument, amountArgument } from "./cli-arguments.js";
import {
  bigintOption,
  collect,
  contractIdArgument,
  countArgument,
  durationArgument,
  ratingArgument,
  unixSecondsArgument,
} from "./economy-arguments.js";
import { sendsMessage, signAndSend, signingCommand } from "./tx-commands.js";

interface OpenOptions {
  scu: bigint;
  replicas: bigint;
  maxPrice: bigint;
  budget: bigint;
  duration: bigint;
  recoverWithin: bigint;
  maxMigrations: bigint;
  region: string[];
  minPoc: bigint;
  spread?: boolean;
  billing: string;
  operator?: string;
  ref?: string;
  cluster: string;
}

export function registerContractCommands(tx: Command): void {
  const contract = tx
    .command("contract")
    .description("open, fund, close and rate compute contracts; record their leases");

  signingCommand(contract, "open", "open a contract: the budget moves from your balance into its escrow")
    .requiredOption("--scu <n>", "SCU per replica", countArgument)
    .addOption(bigintOption("--replicas <n>", "replicas", countArgument, 1n))
    .requiredOption("--max-price <amount>", "highest price per SCU-hour accepted", amountArgument)
    .requiredOption("--budget <amount>", "escrow to deposit now", amountArgument)
    .requiredOption(
      "--duration <time>",
      "how long the contract runs: seconds, or 90s, 30m, 12h, 7d",
      durationArgument,
    )
    .addOption(
      bigintOption(
        "--recover-within <time>",
        "SLA: a failed replica runs again within this time",
        durationArgument,
        300n,
      ),
    )
    .addOption(bigintOption("--max-migrations <n>", "SLA: migrations allowed", countArgument, 3n))
    .option("--region <name>", "allowed region (repeat for several; none allows any)", collect, [])
    .addOption(bigintOption("--min-poc <n>", "lowest contributor PoC total accepted", amountArgument, 0n))
    .option("--spread", "at most one replica per contributor")
    .addOption(
      new Option("--billing <mode>", "pay for the reserved SCU, or for measured use up to it")
        .choices(["reserved", "used"])
        .default("reserved"),
    )
    .option(
      "--operator <address>",
      "address allowed to record leases for you (e.g. the operator's key)",
      addressArgument,
    )
    .option(
      "--ref <reference>",
      "what the contract stands for (its id derives from your address and this); sending the same again opens nothing new (default: a new UUID)",
    )
    .option("--cluster <id>", "the member cluster the contract belongs to", "")
    .action(async (opts: OpenOptions, command: Command) => {
      const clientRef = opts.ref ?? randomUUID();
      await signAndSend(
        command,
        "OpenContract",
        (c, s, o) =>
          c.submit(
            s,
            market.OpenContractMsg,
            {
              scuPerReplica: opts.scu,
              replicas: opts.replicas,
              maxPricePerScuHour: opts.maxPrice,
              budget: opts.budget,
              durationSeconds: opts.duration,
              recoverWithinSeconds: opts.recoverWithin,
              maxMigrations: opts.maxMigrations,
              regions: opts.region,
              minPoc: opts.minPoc,
              spread: opts.spread ?? false,
              billing: opts.billing,
              operator: opts.operator ?? ZeroAddress,
              clusterId: opts.cluster,
              clientRef,
            },
            o,
          ),
        (_outcome, sender) => [
          ["contract", contractIdFor(sender, opts.cluster, clientRef)],
          ["ref", clientRef],
        ],
      );
    });

  signingCommand(
    contract,
    "topup",
    "add to a contract's escrow; a paused contract resumes once one interval is covered",
  )
    .argument("<contract>", "contract id", contractIdArgument)
    .argument("<amount>", "amount in the smallest unit", amountArgument)
    .action(
      sendsMessage(market.TopUpContractMsg, (contractId: string, amount: bigint) => ({ contractId, amount })),
    );

  signingCommand(
    contract,
    "resize",
    "set how many replicas a contract runs; growing needs the escrow to cover one interval of the new size",
  )
    .argument("<contract>", "contract id", contractIdArgument)
    .argument("<replicas>", "the new number of replicas", countArgument)
    .action(
      sendsMessage(market.ResizeContractMsg, (contractId: string, replicas: bigint) => ({
        contractId,
        replicas,
      })),
    );

  signingCommand(contract, "close", "close a contract and get the rest of its escrow back")
    .argument("<contract>", "contract id", contractIdArgument)
    .action(sendsMessage(market.CloseContractMsg, (contractId: string) => ({ contractId })));

  signingCommand(contract, "rate", "rate a node that served the contract, once, from 1 to 5")
    .argument("<contract>", "contract id", contractIdArgument)
    .argument("<node>", "contributor node id")
    .argument("<rating>", "1 (bad) to 5 (excellent)", ratingArgument)
    .action(
      sendsMessage(market.RateContributorMsg, (contractId: string, nodeId: string, rating: bigint) => ({
        contractId,
        nodeId,
        rating,
      })),
    );

  signingCommand(contract, "lease", "record that a replica's pod runs on a contributor node")
    .argument("<contract>", "contract id", contractIdArgument)
    .argument("<replica>", "replica index", countArgument)
    .argument("<node>", "contributor node id")
    .argument("<pod-uid>", "the pod's UID")
    .option("--started-at <time>", "unix seconds the pod started, or now (the default)", unixSecondsArgument)
    .action(
      sendsMessage(
        market.RecordLeaseMsg,
        (
          contractId: string,
          replica: bigint,
          nodeId: string,
          podUid: string,
          opts: { startedAt?: bigint },
        ) => ({
          contractId,
          replica,
          nodeId,
          podUid,
          startedAt: opts.startedAt ?? unixSecondsArgument("now"),
        }),
      ),
    );

  signingCommand(contract, "end-lease", "record that a pod left its node: completed, migrated or failed")
    .argument("<contract>", "contract id", contractIdArgument)
    .argument("<pod-uid>", "the pod's UID")
    .argument("<outcome>", "completed, migrated or failed")
    .option("--ended-at <time>", "unix seconds the pod stopped, or now (the default)", unixSecondsArgument)
    .action(
      sendsMessage(
        market.EndLeaseMsg,
        (contractId: string, podUid: string, outcome: string, opts: { endedAt?: bigint }) => ({
          contractId,
          podUid,
          endedAt: opts.endedAt ?? unixSecondsArgument("now"),
          outcome,
        }),
      ),
    );

  signingCommand(contract, "breach", "record an SLA breach by a contributor node (lowers its service score)")
    .argument("<contract>", "contract id", contractIdArgument)
    .argument("<replica>", "replica index", countArgument)
    .argument("<node>", "contributor node id")
    .argument("<pod>", "UID of the pod that suffered the breach (one breach per pod and kind)")
    .argument("<kind>", "recovery, migrations or availability")
    .addOption(bigintOption("--seconds <n>", "how long the breach lasted", countArgument, 0n))
    .action(
      sendsMessage(
        market.RecordBreachMsg,
        (
          contractId: string,
          replica: bigint,
          nodeId: string,
          podUid: string,
          kind: string,
          opts: { seconds: bigint },
        ) => ({ contractId, replica, nodeId, podUid, kind, seconds: opts.seconds }),
      ),
    );
}
