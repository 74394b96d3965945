import type { Address } from "viem";
import type { Queryable } from "../store/db";

/**
 * A brand's money, replayed from the indexed CoalitionPoints events (table points_events).
 *
 * Liability attribution. Coalition points are fungible: a customer's balance does not remember which
 * brand issued each point. The relay attributes each customer's balance to the brands that issued to that
 * customer, in proportion to what each issued to them net of reversals (issued - reversed), at every
 * moment: a redemption anywhere or an expiry lowers each issuer's part of that customer's balance in that
 * proportion. A brand's liability is the sum of its parts over its customers, each part rounded down.
 * Points a customer holds without ever having earned any (received by transfer, when governance enables
 * transfers) are attributed to no brand. Expired points of a brand's customers are attributed by the
 * same rule at the time they expire.
 */
export interface MoneyFigures {
  /** Settlement-asset units. */
  deposited: bigint;
  withdrawn: bigint;
  /** Points. */
  issued: bigint;
  reversed: bigint;
  /** Points redeemed at this brand, by anyone's customers; their value was credited to its backing. */
  redeemed: bigint;
  /** Points of its customers that expired, attributed to it. */
  expired: bigint;
}

export interface MoneyDay extends MoneyFigures {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** At the end of the day. */
  backing: bigint;
  liability: bigint;
}

export interface MoneyReport {
  totals: MoneyFigures & { backing: bigint; liability: bigint };
  /** One entry per UTC day from the brand's first event to the last event replayed (or `until`), gaps included. */
  days: MoneyDay[];
}

export interface PointsEventRow {
  kind: string;
  brand: string | null;
  customer: string | null;
  counterparty: string | null;
  amount: bigint;
  timestamp: number;
}

const zero = (): MoneyFigures => ({ deposited: 0n, withdrawn: 0n, issued: 0n, reversed: 0n, redeemed: 0n, expired: 0n });
const dayOf = (ts: number) => new Date(ts * 1000).toISOString().slice(0, 10);
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * Replays `events` (in chain order: every event of the brand and every event of its customers) into the
 * brand's totals and days. Pure: the rule above, nothing else.
 *
 * @param brand the brand (lower case)
 * @param unitValue settlement-asset units per point
 * @param until last day to report (YYYY-MM-DD), default the last event's day
 */
export function replayMoney({ brand, unitValue, events, until }: { brand: string; unitValue: bigint; events: readonly PointsEventRow[]; until?: string }): MoneyReport {
  const balance = new Map<string, bigint>();
  /** Net issuance per customer: by this brand, by every brand. */
  const netMine = new Map<string, bigint>();
  const netAll = new Map<string, bigint>();
  const add = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);
  const share = (customer: string, points: bigint) => {
    const all = netAll.get(customer) ?? 0n;
    return all === 0n ? 0n : (points * (netMine.get(customer) ?? 0n)) / all;
  };
  const liability = () => {
    let sum = 0n;
    for (const c of netMine.keys()) sum += share(c, balance.get(c) ?? 0n);
    return sum;
  };

  const totals = zero();
  let backing = 0n;
  const days: MoneyDay[] = [];
  let current: MoneyDay | undefined;
  const close = () => {
    if (current) days.push({ ...current, backing, liability: liability() });
  };
  const open = (day: string) => {
    if (current?.day === day) return;
    close();
    let d = current ? nextDay(current.day) : day;
    while (d < day) {
      days.push({ day: d, ...zero(), backing, liability: liability() });
      d = nextDay(d);
    }
    current = { day, ...zero(), backing: 0n, liability: 0n };
  };

  for (const e of events) {
    const mine = e.brand === brand;
    const customer = e.customer ?? "";
    let touches = mine;
    let expiredShare = 0n;
    if (e.kind === "expired") {
      expiredShare = share(customer, e.amount);
      touches = netMine.has(customer);
    }
    if (touches || current) open(dayOf(e.timestamp));
    const f = current;
    switch (e.kind) {
      case "issued":
        add(balance, customer, e.amount);
        add(netAll, customer, e.amount);
        if (mine) {
          add(netMine, customer, e.amount);
          backing -= e.amount * unitValue;
          totals.issued += e.amount;
          if (f) f.issued += e.amount;
        }
        break;
      case "reversed":
        add(balance, customer, -e.amount);
        add(netAll, customer, -e.amount);
        if (mine) {
          add(netMine, customer, -e.amount);
          backing += e.amount * unitValue;
          totals.reversed += e.amount;
          if (f) f.reversed += e.amount;
        }
        break;
      case "redeemed":
        add(balance, customer, -e.amount);
        if (mine) {
          backing += e.amount * unitValue;
          totals.redeemed += e.amount;
          if (f) f.redeemed += e.amount;
        }
        break;
      case "expired":
        add(balance, customer, -e.amount);
        totals.expired += expiredShare;
        if (f) f.expired += expiredShare;
        break;
      case "transfer":
        add(balance, customer, -e.amount);
        add(balance, e.counterparty ?? "", e.amount);
        break;
      case "deposited":
        if (mine) {
          backing += e.amount;
          totals.deposited += e.amount;
          if (f) f.deposited += e.amount;
        }
        break;
      case "withdrawn":
        if (mine) {
          backing -= e.amount;
          totals.withdrawn += e.amount;
          if (f) f.withdrawn += e.amount;
        }
        break;
    }
  }
  if (current && until && until > current.day) open(until);
  close();
  return { totals: { ...totals, backing, liability: liability() }, days };
}

type Row = { kind: string; brand: string | null; customer: string | null; counterparty: string | null; amount: string; timestamp: string };

/**
 * Reads, in chain order, every indexed CoalitionPoints event of `brand` and of the customers it ever issued
 * to (their issuance, reversals, redemptions and expiries at any brand, and transfers to or from them).
 */
export async function loadMoneyEvents(db: Queryable, brand: Address): Promise<PointsEventRow[]> {
  const { rows } = await db.query<Row>(
    `WITH mine AS (SELECT DISTINCT customer FROM points_events WHERE kind = 'issued' AND brand = $1)
     SELECT kind, brand, customer, counterparty, amount::text AS amount, timestamp::text AS timestamp FROM points_events
     WHERE kind IN ('issued', 'reversed', 'redeemed', 'expired', 'deposited', 'withdrawn', 'transfer')
       AND (brand = $1 OR customer IN (SELECT customer FROM mine) OR (kind = 'transfer' AND counterparty IN (SELECT customer FROM mine)))
     ORDER BY block_number, log_index`,
    [brand.toLowerCase()],
  );
  return rows.map((r) => ({ kind: r.kind, brand: r.brand, customer: r.customer, counterparty: r.counterparty, amount: BigInt(r.amount), timestamp: Number(r.timestamp) }));
}

export interface Redemption {
  customer: Address;
  points: string;
  /** Settlement-asset units credited to the brand. */
  value: string;
  orderRef: string;
  txHash: string;
  blockNumber: string;
  timestamp: number;
  /** Pass it as `before` to read the older ones: "block:logIndex". */
  cursor: string;
}

/** Redemptions received by `brand`, newest first: `limit` of them, older than `before` ("block:logIndex") when given. */
export async function listRedemptions(db: Queryable, { brand, unitValue, limit, before }: { brand: Address; unitValue: bigint; limit: number; before?: { block: bigint; logIndex: number } }): Promise<Redemption[]> {
  const { rows } = await db.query<{ customer: string; amount: string; ref: string; tx_hash: string; block_number: string; log_index: number; timestamp: string }>(
    `SELECT customer, amount::text AS amount, ref, tx_hash, block_number::text AS block_number, log_index, timestamp::text AS timestamp FROM points_events
     WHERE kind = 'redeemed' AND brand = $1 AND ($2::bigint IS NULL OR (block_number, log_index) < ($2::bigint, $3::int))
     ORDER BY block_number DESC, log_index DESC LIMIT $4`,
    [brand.toLowerCase(), before?.block.toString() ?? null, before?.logIndex ?? 0, limit],
  );
  return rows.map((r) => ({
    customer: r.customer as Address,
    points: r.amount,
    value: (BigInt(r.amount) * unitValue).toString(),
    orderRef: r.ref,
    txHash: r.tx_hash,
    blockNumber: r.block_number,
    timestamp: Number(r.timestamp),
    cursor: `${r.block_number}:${r.log_index}`,
  }));
}
