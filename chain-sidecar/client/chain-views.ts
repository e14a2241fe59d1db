// The typed answers of the chain's queries, as clients see them (amounts as bigint).

export interface AccountView {
  address: string;
  balance: bigint;
  nonce: number;
}

export interface ValidatorView {
  operator: string;
  moniker: string;
  consensusAddress: string;
  consensusPubKey: string;
  deposit: bigint;
  lent: bigint;
  votes: bigint;
  weight: bigint;
  /** CometBFT voting power; 0 when outside the active set. */
  power: bigint;
  jailed: boolean;
  jailedUntil: number;
  jailReason: string;
}

export interface StakingPositionView {
  address: string;
  loans: { validator: string; amount: bigint }[];
  votes: string[];
  unbonding: { validator: string; amount: bigint; completesAt: number }[];
}

/** Every module's parameters; amounts stay decimal strings, counts are numbers. */
export type ParamsView = Record<string, Record<string, string | number>>;

type Raw = Record<string, unknown>;

export function toAccountView(raw: Raw): AccountView {
  return { address: String(raw.address), balance: BigInt(raw.balance as string), nonce: Number(raw.nonce) };
}

/** Accepts both the stored record (/validator) and the list view (/validators, which adds weight and power). */
export function toValidatorView(raw: Raw, power?: bigint): ValidatorView {
  const deposit = BigInt(raw.deposit as string);
  const lent = BigInt(raw.lent as string);
  const votes = BigInt(raw.votes as string);
  return {
    operator: String(raw.operator),
    moniker: String(raw.moniker),
    consensusAddress: String(raw.consensusAddress),
    consensusPubKey: String(raw.consensusPubKey),
    deposit,
    lent,
    votes,
    weight: raw.weight === undefined ? deposit + lent + votes : BigInt(raw.weight as string),
    power: raw.power === undefined ? (power ?? 0n) : BigInt(raw.power as string),
    jailed: Boolean(raw.jailed),
    jailedUntil: Number(raw.jailedUntil),
    jailReason: String(raw.jailReason),
  };
}

export function toStakingPositionView(raw: Raw): StakingPositionView {
  const loans = raw.loans as { validator: string; amount: string }[];
  const unbonding = raw.unbonding as { validator: string; amount: string; completesAt: number }[];
  return {
    address: String(raw.address),
    loans: loans.map((l) => ({ validator: l.validator, amount: BigInt(l.amount) })),
    votes: raw.votes as string[],
    unbonding: unbonding.map((u) => ({
      validator: u.validator,
      amount: BigInt(u.amount),
      completesAt: u.completesAt,
    })),
  };
}

/** One node as the /contributors view shows it: stored fields plus PoC computed at the last block. */
export interface NodeStanding {
  nodeId: string;
  owner: string;
  operator: string;
  online: boolean;
  onlineSinceMs: number;
  activeLeases: number;
  breaches: number;
  poc: { basic: string; service: string; chain: string; total: string };
}

/** One recorded SLA breach, as /breaches/contract/:id lists it. */
export interface BreachView {
  podUid: string;
  kind: "recovery" | "migrations" | "availability";
  nodeId: string;
  replica: number;
  seconds: number;
}
