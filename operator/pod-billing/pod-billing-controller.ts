// The pod-billing controller: every Uranus pod, on any change of its content (placement, phase, retirement).
import type { Controller } from "../../kube-runtime/controller.js";
import { contentChanged } from "../../kube-runtime/predicates.js";
import type { MeteringLoop } from "../metering/metering-loop.js";
import type { KubePod, OperatorContext } from "../operator-context.js";
import { PodBillingReconciler } from "./pod-billing-reconciler.js";

export function setupPodBillingController(ctx: OperatorContext, metering: MeteringLoop): Controller<KubePod> {
  const podBilling = new PodBillingReconciler(ctx, metering);
  return ctx.runtime.controller<KubePod>({
    name: "lease",
    for: ctx.informers.pods,
    forPredicate: contentChanged,
    workers: ctx.settings.workers,
    reconcile: (key, rc) => podBilling.reconcile(key, rc),
  });
}
