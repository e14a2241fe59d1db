// A short stable digest of a PowerContainer spec: equal specs hash equal whatever their key order, so a rollout
// replaces exactly the objects made from an older template.
import { createHash } from "node:crypto";
import { stringify } from "safe-stable-stringify";
import type { PowerContainerSpec } from "../../crds/types.js";

export function specHash(spec: PowerContainerSpec): string {
  return createHash("sha256").update(stringify(spec)).digest("hex").slice(0, 16);
}
