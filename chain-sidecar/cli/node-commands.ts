// `uranus tx node register|heartbeat|update|deregister`: a contributor's node offers and online proofs.
import type { Command } from "commander";
import { ZeroAddress } from "ethers";
import {
  DeregisterNodeMsg,
  HeartbeatMsg,
  RegisterNodeMsg,
  UpdateNodeMsg,
} from "../modules/poc/poc-messages.js";
import { addressArgument, amountArgument } from "./cli-arguments.js";
import { bigintOption, countArgument } from "./economy-arguments.js";
import { signAndSend, signingCommand } from "./tx-commands.js";

interface RegisterOptions {
  region: string;
  isolation: string;
  cpu: bigint;
  memory: bigint;
  storage: bigint;
  bandwidth: bigint;
  price: bigint;
  operator?: string;
}

interface CapacityOptions {
  cpu: bigint;
  memory: bigint;
  storage: bigint;
  bandwidth: bigint;
}

export function registerNodeCommands(tx: Command): void {
  const node = tx.command("node").description("offer contributor nodes and prove they are online");

  signingCommand(node, "register", "offer a node; you become its owner and are paid for its work")
    .argument("<node>", "node id (the Kubernetes node name)")
    .requiredOption("--region <name>", "region of the node")
    .option("--isolation <kind>", "runc or kata", "runc")
    .requiredOption("--cpu <millicores>", "cpu in millicores", countArgument)
    .requiredOption("--memory <bytes>", "memory in bytes", countArgument)
    .addOption(bigintOption("--storage <bytes>", "storage in bytes", countArgument, 0n))
    .addOption(bigintOption("--bandwidth <mbps>", "uplink bandwidth in Mbit/s", countArgument, 0n))
    .requiredOption("--price <amount>", "asking price per SCU-hour", amountArgument)
    .option(
      "--operator <address>",
      "address allowed to send heartbeats and metering for this node",
      addressArgument,
    )
    .action(async (nodeId: string, opts: RegisterOptions, command: Command) => {
      await signAndSend(command, "RegisterNode", (c, s, o) =>
        c.submit(
          s,
          RegisterNodeMsg,
          {
            nodeId,
            region: opts.region,
            isolation: opts.isolation,
            cpuMillicores: opts.cpu,
            memoryBytes: opts.memory,
            storageBytes: opts.storage,
            bandwidthMbps: opts.bandwidth,
            pricePerScuHour: opts.price,
            operator: opts.operator ?? ZeroAddress,
          },
          o,
        ),
      );
    });

  signingCommand(node, "heartbeat", "prove the node is online; measured capacities replace the declared ones")
    .argument("<node>", "node id")
    .addOption(bigintOption("--cpu <millicores>", "measured cpu", countArgument, 0n))
    .addOption(bigintOption("--memory <bytes>", "measured memory", countArgument, 0n))
    .addOption(bigintOption("--storage <bytes>", "measured storage", countArgument, 0n))
    .addOption(bigintOption("--bandwidth <mbps>", "measured uplink", countArgument, 0n))
    .action(async (nodeId: string, opts: CapacityOptions, command: Command) => {
      await signAndSend(command, "Heartbeat", (c, s, o) =>
        c.submit(
          s,
          HeartbeatMsg,
          {
            nodeId,
            cpuMillicores: opts.cpu,
            memoryBytes: opts.memory,
            storageBytes: opts.storage,
            bandwidthMbps: opts.bandwidth,
          },
          o,
        ),
      );
    });

  signingCommand(node, "update", "change a node's asking price and authorised operator")
    .argument("<node>", "node id")
    .requiredOption("--price <amount>", "asking price per SCU-hour", amountArgument)
    .option("--operator <address>", "authorised operator (omit to remove it)", addressArgument)
    .action(async (nodeId: string, opts: { price: bigint; operator?: string }, command: Command) => {
      await signAndSend(command, "UpdateNode", (c, s, o) =>
        c.submit(
          s,
          UpdateNodeMsg,
          { nodeId, pricePerScuHour: opts.price, operator: opts.operator ?? ZeroAddress },
          o,
        ),
      );
    });

  signingCommand(node, "deregister", "withdraw a node that holds no active lease")
    .argument("<node>", "node id")
    .action(async (nodeId: string, _opts: unknown, command: Command) => {
      await signAndSend(command, "DeregisterNode", (c, s, o) =>
        c.submit(s, DeregisterNodeMsg, { nodeId }, o),
      );
    });
}
