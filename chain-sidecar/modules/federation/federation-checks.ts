// Checks of federation messages that need no state, run before the keeper, and the order workload's parser, which
// the operator reuses to read what the chain accepted.
import { computeAddress } from "ethers";
import { canonicalJson, type JsonValue } from "../../state/canonical-json.js";
import { ResultCode } from "../../tx/result-codes.js";
import { invalidField, TxError } from "../../tx/tx-error.js";
import { checkClientRef, checkClusterId, checkContractId, checkRegion } from "../identifiers.js";
import { ISOLATIONS, type Isolation } from "../poc/poc-types.js";
import type {
  ClusterHeartbeat,
  OpenOrder,
  RegisterCluster,
  ReportOrder,
  SealOrderEnv,
} from "./federation-messages.js";
import type { FederationParams } from "./federation-params.js";
import { PLACEMENTS, type Cluster, type Placement } from "./federation-records.js";

const LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
/** A DNS name or an IPv4 address, lowercase. */
const HOST = new RegExp(`^(?=.{1,253}$)${LABEL}(\\.${LABEL})*$`);
const PUBLIC_KEY = /^0x0[23][0-9a-fA-F]{64}$/;
const HEX = /^0x([0-9a-fA-F]{2})+$/;
const PHASE = /^[A-Za-z][A-Za-z0-9]{0,31}$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
export const MAX_ENDPOINTS = 16;

/** A member cluster's id: a DNS label, never empty. */
export function checkMemberClusterId(id: string, field: string): string {
  if (id === "") throw invalidField(field, "must name a member cluster");
  return checkClusterId(id, field);
}

function checkPort(value: bigint | number, field: string): number {
  if (value < 1 || value > 65_535) throw invalidField(field, `${value} is outside 1..65535`);
  return Number(value);
}

/** Each listed once; returns them sorted. */
function distinctSorted(
  values: readonly string[],
  field: string,
  check: (v: string, f: string) => void,
): string[] {
  const seen = new Set<string>();
  values.forEach((value, i) => {
    check(value, `${field}[${i}]`);
    if (seen.has(value)) throw invalidField(`${field}[${i}]`, `${value} is listed twice`);
    seen.add(value);
  });
  return [...seen].sort();
}

/** The id, endpoint and ports, and the key claim: the encryption key must be the sender's own public key. */
export function checkRegisterCluster(msg: RegisterCluster, sender: string): void {
  checkMemberClusterId(msg.clusterId, "RegisterCluster.clusterId");
  if (!HOST.test(msg.endpointHost))
    throw invalidField(
      "RegisterCluster.endpointHost",
      `${JSON.stringify(msg.endpointHost)} is not a lowercase DNS name or IPv4 address`,
    );
  const first = checkPort(msg.portFirst, "RegisterCluster.portFirst");
  const last = checkPort(msg.portLast, "RegisterCluster.portLast");
  if (first > last) throw invalidField("RegisterCluster.portLast", `${last} is below portFirst ${first}`);
  checkEncryptionKey(msg.encryptionKey, sender, "RegisterCluster.encryptionKey");
}

/** A compressed secp256k1 public key whose address is `sender`. */
export function checkEncryptionKey(key: string, sender: string, field: string): string {
  if (!PUBLIC_KEY.test(key))
    throw invalidField(field, "expected a compressed secp256k1 public key (0x02 or 0x03 and 32 bytes, hex)");
  let address: string;
  try {
    address = computeAddress(key).toLowerCase();
  } catch {
    throw invalidField(field, `${key} is not a point of secp256k1`);
  }
  if (address !== sender)
    throw invalidField(
      field,
      `the key belongs to ${address}, not to the sender ${sender}: give your own key`,
    );
  return key.toLowerCase();
}

/** What a cluster offers, within the limits: regions and runtimes, each sorted. */
export function checkClusterOffer(
  msg: RegisterCluster,
  p: FederationParams,
): { regions: string[]; isolation: Isolation[] } {
  if (msg.regions.length > p.maxClusterRegions)
    throw invalidField(
      "RegisterCluster.regions",
      `at most ${p.maxClusterRegions} regions, got ${msg.regions.length}`,
    );
  const regions = distinctSorted(msg.regions, "RegisterCluster.regions", checkRegion);
  if (msg.isolation.length === 0)
    throw invalidField("RegisterCluster.isolation", `name at least one of ${ISOLATIONS.join(", ")}`);
  const isolation = distinctSorted(msg.isolation, "RegisterCluster.isolation", (value, field) => {
    if (!ISOLATIONS.includes(value as Isolation))
      throw invalidField(field, `${JSON.stringify(value)} is not one of ${ISOLATIONS.join(", ")}`);
  });
  return { regions, isolation: isolation as Isolation[] };
}

export function checkClusterHeartbeat(msg: ClusterHeartbeat): void {
  checkMemberClusterId(msg.clusterId, "ClusterHeartbeat.clusterId");
  if (msg.freeScu > BigInt(Number.MAX_SAFE_INTEGER))
    throw invalidField("ClusterHeartbeat.freeScu", `${msg.freeScu} is above ${Number.MAX_SAFE_INTEGER}`);
}

/** The home cluster, reference, placement and runtime; the contract terms are the market's to check. */
export function checkOpenOrder(msg: OpenOrder): void {
  checkMemberClusterId(msg.clusterId, "OpenOrder.clusterId");
  checkClientRef(msg.clientRef, "OpenOrder.clientRef");
  if (!PLACEMENTS.includes(msg.placement as Placement))
    throw invalidField("OpenOrder.placement", `${JSON.stringify(msg.placement)} is not one of any, others`);
  if (msg.isolation !== "" && !ISOLATIONS.includes(msg.isolation as Isolation))
    throw invalidField(
      "OpenOrder.isolation",
      `${JSON.stringify(msg.isolation)} is not "" (any) or one of ${ISOLATIONS.join(", ")}`,
    );
}

/** The order's workload within the size limit, as the canonical JSON the chain stores. */
export function checkOrderWorkload(json: string, p: FederationParams): string {
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes > p.maxWorkloadBytes)
    throw invalidField("OpenOrder.workload", `${bytes} bytes, above the limit of ${p.maxWorkloadBytes}`);
  return canonicalWorkload(parseWorkload(json, "OpenOrder.workload"));
}

export function checkReportOrder(msg: ReportOrder): void {
  checkContractId(msg.contractId, "ReportOrder.contractId");
  if (!PHASE.test(msg.phase))
    throw invalidField(
      "ReportOrder.phase",
      `${JSON.stringify(msg.phase)} is not a phase name (1 to 32 letters or digits)`,
    );
  if (msg.endpoints.length > MAX_ENDPOINTS)
    throw invalidField("ReportOrder.endpoints", `at most ${MAX_ENDPOINTS}, got ${msg.endpoints.length}`);
  msg.endpoints.forEach((endpoint, i) => {
    const field = `ReportOrder.endpoints[${i}]`;
    const colon = endpoint.lastIndexOf(":");
    const port = endpoint.slice(colon + 1);
    if (
      colon < 1 ||
      !HOST.test(endpoint.slice(0, colon)) ||
      !/^[1-9]\d{0,4}$/.test(port) ||
      Number(port) > 65_535
    )
      throw invalidField(field, `${JSON.stringify(endpoint)} is not host:port`);
  });
}

/** Reported endpoints are where the cluster said its workloads are reached: its host, within its port range. */
export function checkEndpointsOf(
  cluster: Pick<Cluster, "id" | "endpointHost" | "portFirst" | "portLast">,
  endpoints: readonly string[],
): void {
  endpoints.forEach((endpoint, i) => {
    const colon = endpoint.lastIndexOf(":");
    const host = endpoint.slice(0, colon);
    const port = Number(endpoint.slice(colon + 1));
    if (host !== cluster.endpointHost || port < cluster.portFirst || port > cluster.portLast)
      throw new TxError(
        ResultCode.UNAUTHORISED,
        `ReportOrder.endpoints[${i}]: ${endpoint} is not on cluster ${cluster.id}'s ${cluster.endpointHost}:${cluster.portFirst}-${cluster.portLast}`,
      );
  });
}

export function checkSealOrderEnv(msg: SealOrderEnv): void {
  checkContractId(msg.contractId, "SealOrderEnv.contractId");
  if (!HEX.test(msg.sealed)) throw invalidField("SealOrderEnv.sealed", "expected 0x and whole bytes of hex");
}

/** The sealed environment within the size limit, lowercase. */
export function checkSealedSize(sealed: string, p: FederationParams): string {
  const bytes = (sealed.length - 2) / 2;
  if (bytes > p.maxSealedEnvBytes)
    throw invalidField("SealOrderEnv.sealed", `${bytes} bytes, above the limit of ${p.maxSealedEnvBytes}`);
  return sealed.toLowerCase();
}

/** A container port an order's workload exposes. */
export interface WorkloadPort {
  name: string;
  port: number;
  protocol?: "TCP" | "UDP";
}

/** A plain environment variable (secrets go sealed, SealOrderEnv). */
export interface WorkloadEnvVar {
  name: string;
  value: string;
}

/** What an order runs: one container, as the JSON `OpenOrder.workload` carries it. */
export interface OrderWorkload {
  image: string;
  command?: string[];
  args?: string[];
  ports?: WorkloadPort[];
  env?: WorkloadEnvVar[];
  /** Names of variables whose values come from Secrets at home: the payer posts them sealed (SealOrderEnv). */
  sealedEnv?: string[];
}

function objectAt(raw: unknown, field: string, known: readonly string[]): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw invalidField(field, "expected a JSON object");
  const value = raw as Record<string, unknown>;
  for (const key of Object.keys(value).sort())
    if (!known.includes(key))
      throw invalidField(`${field}.${key}`, `unknown key; known: ${known.join(", ")}`);
  return value;
}

function stringAt(raw: unknown, field: string, pattern?: RegExp): string {
  if (typeof raw !== "string") throw invalidField(field, "expected a string");
  if (pattern !== undefined && !pattern.test(raw))
    throw invalidField(field, `${JSON.stringify(raw)} does not match ${pattern.source}`);
  return raw;
}

function arrayAt(raw: unknown, field: string): unknown[] {
  if (!Array.isArray(raw)) throw invalidField(field, "expected an array");
  return raw as unknown[];
}

/** Each entry's name listed once. */
function uniqueNames<T extends { name: string }>(entries: T[], field: string): T[] {
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    if (seen.has(entry.name)) throw invalidField(`${field}[${i}].name`, `${entry.name} is listed twice`);
    seen.add(entry.name);
  });
  return entries;
}

function parsePort(raw: unknown, field: string): WorkloadPort {
  const value = objectAt(raw, field, ["name", "port", "protocol"]);
  const name = stringAt(value.name, `${field}.name`, PORT_NAME);
  const port = value.port;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65_535)
    throw invalidField(`${field}.port`, "expected an integer in 1..65535");
  if (value.protocol === undefined) return { name, port };
  if (value.protocol !== "TCP" && value.protocol !== "UDP")
    throw invalidField(`${field}.protocol`, `${JSON.stringify(value.protocol)} is not TCP or UDP`);
  return { name, port, protocol: value.protocol };
}

function parseEnvVar(raw: unknown, field: string): WorkloadEnvVar {
  const value = objectAt(raw, field, ["name", "value"]);
  return {
    name: stringAt(value.name, `${field}.name`, ENV_NAME),
    value: stringAt(value.value, `${field}.value`),
  };
}

/**
 * An order's workload from its JSON; errors name the path under `field` (`OpenOrder.workload.ports[0].port`).
 * Unknown keys and wrong types are refused, so what the chain accepted means the same to every reader.
 */
export function parseWorkload(json: string, field: string): OrderWorkload {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw invalidField(field, `not JSON: ${(error as Error).message}`);
  }
  const value = objectAt(raw, field, ["args", "command", "env", "image", "ports", "sealedEnv"]);
  if (value.image === undefined) throw invalidField(`${field}.image`, "is required");
  const workload: OrderWorkload = { image: stringAt(value.image, `${field}.image`, /^\S+$/) };
  for (const key of ["command", "args"] as const) {
    if (value[key] !== undefined)
      workload[key] = arrayAt(value[key], `${field}.${key}`).map((s, i) =>
        stringAt(s, `${field}.${key}[${i}]`),
      );
  }
  if (value.ports !== undefined) {
    const ports = arrayAt(value.ports, `${field}.ports`).map((p, i) => parsePort(p, `${field}.ports[${i}]`));
    workload.ports = uniqueNames(ports, `${field}.ports`);
  }
  if (value.env !== undefined) {
    const env = arrayAt(value.env, `${field}.env`).map((e, i) => parseEnvVar(e, `${field}.env[${i}]`));
    workload.env = uniqueNames(env, `${field}.env`);
  }
  if (value.sealedEnv !== undefined) {
    const plain = new Set((workload.env ?? []).map((e) => e.name));
    const names = arrayAt(value.sealedEnv, `${field}.sealedEnv`).map((n, i) => {
      const name = stringAt(n, `${field}.sealedEnv[${i}]`, ENV_NAME);
      if (plain.has(name))
        throw invalidField(`${field}.sealedEnv[${i}]`, `${name} is also a plain env variable`);
      return { name };
    });
    workload.sealedEnv = uniqueNames(names, `${field}.sealedEnv`).map((n) => n.name);
  }
  return workload;
}

/** The workload as canonical JSON (sorted keys, no spaces): what the chain stores. */
export function canonicalWorkload(workload: OrderWorkload): string {
  return canonicalJson(workload as unknown as JsonValue);
}
