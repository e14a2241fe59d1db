// Checks of names given in transactions, shared by the modules: node ids are Kubernetes node names, regions DNS
// labels, pod UIDs Kubernetes UIDs, contract ids hex digests.
import { ZeroAddress } from "ethers";
import { invalidField } from "../tx/tx-error.js";

const NODE_ID = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const POD_UID = /^[a-z0-9]([-a-z0-9]{0,62}[a-z0-9])?$/;
const REGION = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CONTRACT_ID = /^[0-9a-f]{20}$/;
const CLIENT_REF = /^[A-Za-z0-9]([-A-Za-z0-9._:/]{0,126}[A-Za-z0-9])?$/;

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
    throw invalidField(
      field,
      `${JSON.stringify(region)} is not a region name (a DNS label, at most 63 characters)`,
    );
  }
  return region;
}

/** The zero address means "no operator". */
export function optionalAddress(address: string): string {
  return address === ZeroAddress ? "" : address;
}

export function checkPodUid(podUid: string, field: string): string {
  if (!POD_UID.test(podUid)) {
    throw invalidField(
      field,
      `${JSON.stringify(podUid)} is not a pod UID (lowercase letters, digits and '-', at most 64)`,
    );
  }
  return podUid;
}

/** A client reference names what a message stands for outside the chain, e.g. a Kubernetes object's UID. */
export function checkClientRef(ref: string, field: string): string {
  if (!CLIENT_REF.test(ref)) {
    throw invalidField(
      field,
      `${JSON.stringify(ref)} is not a client reference (1 to 128 letters, digits, '-', '.', '_', ':' or '/', starting and ending with a letter or digit)`,
    );
  }
  return ref;
}

/** A member cluster's id is a DNS label; "" stands for no federation. */
export function checkClusterId(clusterId: string, field: string): string {
  if (clusterId !== "" && !REGION.test(clusterId)) {
    throw invalidField(
      field,
      `${JSON.stringify(clusterId)} is not a cluster id (a DNS label, at most 63 characters)`,
    );
  }
  return clusterId;
}

export function checkContractId(id: string, field: string): string {
  if (!CONTRACT_ID.test(id))
    throw invalidField(field, `${JSON.stringify(id)} is not a contract id (20 lowercase hex digits)`);
  return id;
}
