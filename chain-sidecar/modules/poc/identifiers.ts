// Checks of the names a contributor gives: node ids are Kubernetes node names, regions are DNS labels.
import { ZeroAddress } from "ethers";
import { invalidField } from "../../tx/tx-error.js";

const NODE_ID = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const REGION = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function checkNodeId(nodeId: string, field: string): string {
  if (!NODE_ID.test(nodeId)) {
    throw invalidField(
      field,
      `${JSON.stringify(nodeId)} is not a Kubernetes node name (lowercase letters, digits, '-' and '.', at most 253)`,
    );
  }
  return nodeId;
}

export function checkRegion(region: string, field: string): string {
  if (!REGION.test(region)) {
    throw invalidField(field, `${JSON.stringify(region)} is not a region name (a DNS label, at most 63 characters)`);
  }
  return region;
}

/** The zero address means "no operator". */
export function optionalAddress(address: string): string {
  return address === ZeroAddress ? "" : address;
}
