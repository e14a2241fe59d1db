// CometBFT's event query language (`tm.event='Tx' AND transfer.amount > 5`) for websocket subscriptions.
// Hand-written: no maintained JavaScript package parses it, and the subset is a few conditions joined by AND.

type Operator = "=" | "<" | "<=" | ">" | ">=" | "CONTAINS" | "EXISTS";

interface QueryTerm {
  key: string;
  op: Operator;
  value?: string | number;
}

export type EventAttributes = Record<string, string[]>;

const CONDITION =
  /^\s*([A-Za-z0-9_.\-/]+)\s*(?:(EXISTS)|(<=|>=|=|<|>|CONTAINS)\s*(?:'([^']*)'|(-?\d+(?:\.\d+)?)))\s*$/;

export class EventQuery {
  private constructor(
    readonly text: string,
    private readonly conditions: QueryTerm[],
  ) {}

  static parse(text: string): EventQuery {
    if (text.trim() === "") throw new Error("query is empty");
    const conditions = text.split(/\s+AND\s+/).map((part) => {
      const match = CONDITION.exec(part);
      if (match === null) throw new Error(`cannot parse query condition ${JSON.stringify(part.trim())}`);
      const [, key, exists, op, quoted, number] = match;
      if (exists !== undefined) return { key: key!, op: "EXISTS" as const };
      return { key: key!, op: op as Operator, value: quoted ?? Number(number) };
    });
    return new EventQuery(text, conditions);
  }

  matches(events: EventAttributes): boolean {
    return this.conditions.every((c) => {
      const values = events[c.key];
      if (values === undefined) return false;
      if (c.op === "EXISTS") return true;
      return values.some((v) => compare(v, c.op, c.value!));
    });
  }
}

function compare(actual: string, op: Operator, expected: string | number): boolean {
  if (op === "CONTAINS") return actual.includes(String(expected));
  if (typeof expected === "string") return op === "=" && actual === expected;
  const n = Number(actual);
  if (Number.isNaN(n)) return false;
  switch (op) {
    case "=":
      return n === expected;
    case "<":
      return n < expected;
    case "<=":
      return n <= expected;
    case ">":
      return n > expected;
    default:
      return n >= expected;
  }
}
