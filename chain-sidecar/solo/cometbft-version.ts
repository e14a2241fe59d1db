// The CometBFT release the solo producer speaks for (its RPC's node_info and ABCI Info): the one hack/versions.env
// pins, so the two never disagree.
import { readVersions } from "../../process/binaries.js";

let cached: string | undefined;

export function cometbftVersion(): string {
  cached ??= readVersions().COMETBFT_VERSION.replace(/^v/, "");
  return cached;
}
