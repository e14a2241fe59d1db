// A short stable digest of a PowerContainer spec: equal specs hash equal whatever their key order, so a rollout
// replaces exactly the objects made from an older template.
import { createHash } from "node:crypto";
import type { PowerContainerSpec } from "../../crds/types.js";
import { canonicalJson, type JsonValue } from "../../chain-sidecar/state/canonical-json.js";

export function specHash(spec: PowerContainerSpec): string {
  // JSON round trip drops undefined members, which canonical JSON cannot encode.
  const plain = JSON.parse(JSON.stringify(spec)) as JsonValue;
  return createHash("sha256").update(canonicalJson(plain)).digest("hex").slice(0, 16);
}
