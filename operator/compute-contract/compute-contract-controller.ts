// The ComputeContract controller: its reconciler, the PowerContainers it owns, and its pods' arrivals and
// departures (a deleted contract waits for its pods to be gone).
import type { ComputeContract } from "../../crds/types.js";
import { LABEL } from "../../crds/types.js";
import type { Controller } from "../../kube-runtime/controller.js";
import { keyOf } from "../../kube-runtime/resource.js";
import type { SettlementBook } from "../metering/settlement-book.js";
import type { OperatorContext } from "../operator-context.js";
import { owning, watching } from "../watch-sources.js";
import { ComputeContractReconciler } from "./compute-contract-reconciler.js";

export function setupComputeContractController(
  ctx: OperatorContext,
  book: SettlementBook,
): Controller<ComputeContract> {
  const contractReconciler = new ComputeContractReconciler(ctx, book, (key) => contracts.enqueue(key));
  const contracts: Controller<ComputeContract> = ctx.runtime.controller<ComputeContract>({
    name: "computecontract",
    for: ctx.informers.contracts,
    workers: ctx.settings.workers,
    owns: [owning({ informer: ctx.informers.powerContainers })],
    watches: [
      watching({
        informer: ctx.informers.pods,
        map: (pod) => {
          const contract = pod.metadata.labels?.[LABEL.contract];
          return contract === undefined ? [] : [keyOf({ namespace: pod.metadata.namespace, name: contract })];
        },
        // Only arrivals and departures matter: a deleted contract waits for its pods to be gone.
        predicate: () => false,
      }),
    ],
    reconcile: (key, rc) => contractReconciler.reconcile(key, rc),
  });
  return contracts;
}
