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
import { sendsMessage, signingCommand } from "./tx-commands.js";

interface CapacityOptions {
  cpu: bigint;
  memory: bigint;
  storage: bigint;
  bandwidth: bigint;
}

interface RegisterOptions extends CapacityOptions {
  region: string;
  isolation: string;
  price: bigint;
  operator?: string;
}

/** The capacity fields of a node message from the command's options. */
function capacities(opts: CapacityOptions) {
  return {
    cpuMillicores: opts.cpu,
    memoryBytes: opts.memory,
    storageBytes: opts.storage,
    bandwidthMbps: opts.bandwidth,
  };
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
    .action(
      sendsMessage(RegisterNodeMsg, (nodeId: string, opts: RegisterOptions) => ({
        nodeId,
        region: opts.region,
        isolation: opts.isolation,
        ...capacities(opts),
        pricePerScuHour: opts.price,
        operator: opts.operator ?? ZeroAddress,
      })),
    );

  signingCommand(node, "heartbeat", "prove the node is online; measured capacities replace the declared ones")
    .argument("<node>", "node id")
    .addOption(bigintOption("--cpu <millicores>", "measured cpu", countArgument, 0n))
    .addOption(bigintOption("--memory <bytes>", "measured memory", countArgument, 0n))
    .addOption(bigintOption("--storage <bytes>", "measured storage", countArgument, 0n))
    .addOption(bigintOption("--bandwidth <mbps>", "measured uplink", countArgument, 0n))
    .action(
      sendsMessage(HeartbeatMsg, (nodeId: string, opts: CapacityOptions) => ({
        nodeId,
        ...capacities(opts),
      })),
    );

  signingCommand(node, "update", "change a node's asking price and authorised operator")
    .argument("<node>", "node id")
    .requiredOption("--price <amount>", "asking price per SCU-hour", amountArgument)
    .option("--operator <address>", "authorised operator (omit to remove it)", addressArgument)
    .action(
      sendsMessage(UpdateNodeMsg, (nodeId: string, opts: { price: bigint; operator?: string }) => ({
        nodeId,
        pricePerScuHour: opts.price,
        operator: opts.operator ?? ZeroAddress,
      })),
    );

  signingCommand(node, "deregister", "withdraw a node that holds no active lease")
    .argument("<node>", "node id")
    .action(sendsMessage(DeregisterNodeMsg, (nodeId: string) => ({ nodeId })));
}
