import type { Address, Hex } from "viem";
import type { Queryable } from "../store/db";
import type { HistoryAction, HistoryRecord } from "../audit/historyChain";
import { foldConsents } from "../audit/consentFold";
import type { DecodedRange, PointsRow } from "./decode";

/**
 * The indexer's writes. Event rows are inserted as decoded; derived rows (consents, delegates, purposes,
 * brands, operators) are recomputed from the event rows for exactly the keys a range or a rewind touched, so
 * the forward path and the reorganisation path share one definition of each figure. The balances are the
 * exception: sums over a customer's or a brand's whole history, a forward range adds its own events to them
 * (addBalanceChanges) and a rewind sums them again (recompute*Balances); test/indexer/balances.test.ts holds
 * the two equal over random ranges and rewinds.
 */
export interface Cursor {
  blockNumber: number;
  blockHash: string;
}

export interface BlockRow {
  blockNumber: number;
  blockHash: string;
  parentHash: string;
  timestamp: number;
}

export class AffectedKeys {
  readonly consentPairs = new Map<string, [string, string]>();
  readonly delegatePairs = new Map<string, [string, string]>();
  readonly purposeKeys = new Map<string, [string, string]>();
  readonly customers = new Set<string>();
  readonly brands = new Set<string>();

  static fromRange(d: DecodedRange): AffectedKeys {
    const k = new AffectedKeys();
    for (const h of d.history) k.pair(k.consentPairs, h.record.subject.toLowerCase(), h.record.controller.toLowerCase());
    for (const e of d.delegates) k.pair(k.delegatePairs, e.subject, e.delegate);
    for (const n of d.notices) k.pair(k.purposeKeys, n.controller, n.purpose);
    for (const p of d.points) k.point(p.kind, p.brand, p.customer, p.counterparty);
    return k;
  }

  pair(map: Map<string, [string, string]>, a: string, b: string): void {
    map.set(`${a}|${b}`, [a, b]);
  }

  point(kind: string, brand: string | null, customer: string | null, counterparty: string | null): void {
    if (brand) this.brands.add(brand);
    if (customer) this.customers.add(customer);
    if (kind === "transfer" && counterparty) this.customers.add(counterparty);
  }
}

export async function readCursor(q: Queryable): Promise<Cursor | null> {
  const { rows } = await q.query<{ block_number: number; block_hash: string }>("SELECT block_number, block_hash FROM indexer_cursor");
  return rows[0] ? { blockNumber: rows[0].block_number, blockHash: rows[0].block_hash } : null;
}

async function writeCursor(q: Queryable, c: Cursor | null): Promise<void> {
  if (!c) {
    await q.query("DELETE FROM indexer_cursor");
    return;
  }
  await q.query(
    `INSERT INTO indexer_cursor (id, block_number, block_hash, updated_at) VALUES (true, $1, $2, now())
     ON CONFLICT (id) DO UPDATE SET block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash, updated_at = now()`,
    [c.blockNumber, c.blockHash],
  );
}

/** Stores one range's events and blocks, refreshes what they touched and moves the cursor, in the caller's transaction. */
export async function storeRange(
  tx: Queryable,
  d: DecodedRange,
  blocks: readonly BlockRow[],
  cursor: Cursor,
  opts: { unitValue: bigint; keepBlocksFrom: number },
): Promise<void> {
  if (d.history.length) {
    const h = d.history;
    await tx.query(
      `INSERT INTO consent_history (controller, seq, action, subject, purpose, categories, expires_at, notice_hash, actor,
         timestamp, head, block_number, block_hash, log_index, tx_hash)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::smallint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[],
         $9::text[], $10::bigint[], $11::text[], $12::bigint[], $13::text[], $14::integer[], $15::text[])`,
      [
        h.map((x) => x.record.controller.toLowerCase()),
        h.map((x) => Number(x.record.seq)),
        h.map((x) => x.record.action),
        h.map((x) => x.record.subject.toLowerCase()),
        h.map((x) => x.record.purpose.toLowerCase()),
        h.map((x) => x.record.categories.toString()),
        h.map((x) => x.record.expiresAt),
        h.map((x) => x.record.noticeHash.toLowerCase()),
        h.map((x) => x.record.actor.toLowerCase()),
        h.map((x) => x.timestamp),
        h.map((x) => x.record.head.toLowerCase()),
        h.map((x) => x.blockNumber),
        h.map((x) => x.blockHash),
        h.map((x) => x.logIndex),
        h.map((x) => x.txHash),
      ],
    );
  }
  if (d.delegates.length) {
    const e = d.delegates;
    await tx.query(
      `INSERT INTO delegate_events (block_number, log_index, block_hash, tx_hash, timestamp, subject, delegate, until)
       SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::bigint[])`,
      [e.map((x) => x.blockNumber), e.map((x) => x.logIndex), e.map((x) => x.blockHash), e.map((x) => x.txHash), e.map((x) => x.timestamp),
        e.map((x) => x.subject), e.map((x) => x.delegate), e.map((x) => x.until)],
    );
  }
  if (d.notices.length) {
    const n = d.notices;
    await tx.query(
      `INSERT INTO purpose_notices (block_number, log_index, block_hash, tx_hash, timestamp, controller, purpose, notice_hash, notice_uri)
       SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[])`,
      [n.map((x) => x.blockNumber), n.map((x) => x.logIndex), n.map((x) => x.blockHash), n.map((x) => x.txHash), n.map((x) => x.timestamp),
        n.map((x) => x.controller), n.map((x) => x.purpose), n.map((x) => x.noticeHash), n.map((x) => x.noticeUri)],
    );
  }
  if (d.points.length) {
    const p = d.points;
    await tx.query(
      `INSERT INTO points_events (block_number, log_index, block_hash, tx_hash, timestamp, kind, brand, customer, counterparty, amount, ref)
       SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[],
         $9::text[], $10::numeric[], $11::text[])`,
      [p.map((x) => x.blockNumber), p.map((x) => x.logIndex), p.map((x) => x.blockHash), p.map((x) => x.txHash), p.map((x) => x.timestamp),
        p.map((x) => x.kind), p.map((x) => x.brand), p.map((x) => x.customer), p.map((x) => x.counterparty), p.map((x) => x.amount),
        p.map((x) => x.ref)],
    );
  }
  if (blocks.length) {
    await tx.query(
      `INSERT INTO indexer_blocks (block_number, block_hash, parent_hash, timestamp)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[])
       ON CONFLICT (block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash, parent_hash = EXCLUDED.parent_hash, timestamp = EXCLUDED.timestamp`,
      [blocks.map((b) => b.blockNumber), blocks.map((b) => b.blockHash), blocks.map((b) => b.parentHash), blocks.map((b) => b.timestamp)],
    );
  }
  await refreshDerived(tx, AffectedKeys.fromRange(d), opts.unitValue, d.points);
  await writeCursor(tx, cursor);
  await tx.query("DELETE FROM indexer_blocks WHERE block_number < $1 AND block_number <> $2", [opts.keepBlocksFrom, cursor.blockNumber]);
}

/**
 * Deletes everything stored from blocks after `ancestor` (all of it when null), recomputes what those rows
 * touched and moves the cursor back to the ancestor. Returns how many event rows were removed.
 */
export async function rewindTo(tx: Queryable, ancestor: Cursor | null, unitValue: bigint): Promise<number> {
  const after = ancestor ? ancestor.blockNumber : -1;
  const keys = new AffectedKeys();
  const h = await tx.query<{ subject: string; controller: string }>(
    "DELETE FROM consent_history WHERE block_number > $1 RETURNING subject, controller",
    [after],
  );
  for (const r of h.rows) keys.pair(keys.consentPairs, r.subject, r.controller);
  const d = await tx.query<{ subject: string; delegate: string }>("DELETE FROM delegate_events WHERE block_number > $1 RETURNING subject, delegate", [after]);
  for (const r of d.rows) keys.pair(keys.delegatePairs, r.subject, r.delegate);
  const n = await tx.query<{ controller: string; purpose: string }>("DELETE FROM purpose_notices WHERE block_number > $1 RETURNING controller, purpose", [after]);
  for (const r of n.rows) keys.pair(keys.purposeKeys, r.controller, r.purpose);
  const p = await tx.query<{ kind: string; brand: string | null; customer: string | null; counterparty: string | null }>(
    "DELETE FROM points_events WHERE block_number > $1 RETURNING kind, brand, customer, counterparty",
    [after],
  );
  for (const r of p.rows) keys.point(r.kind, r.brand, r.customer, r.counterparty);
  await tx.query("DELETE FROM indexer_blocks WHERE block_number > $1", [after]);
  await refreshDerived(tx, keys, unitValue);
  await writeCursor(tx, ancestor);
  return h.rows.length + d.rows.length + n.rows.length + p.rows.length;
}

type HistoryDbRow = {
  controller: string;
  seq: number;
  action: number;
  subject: string;
  purpose: string;
  categories: string;
  expires_at: number;
  notice_hash: string;
  actor: string;
  timestamp: number;
  head: string;
  block_number: number;
  block_hash: string;
  log_index: number;
  tx_hash: string;
};

export const HISTORY_COLUMNS =
  "controller, seq, action, subject, purpose, categories, expires_at, notice_hash, actor, timestamp, head, block_number, block_hash, log_index, tx_hash";

export function rowToRecord(r: HistoryDbRow): HistoryRecord {
  return {
    action: r.action as HistoryAction,
    controller: r.controller as Address,
    subject: r.subject as Address,
    purpose: r.purpose as Hex,
    categories: BigInt(r.categories),
    expiresAt: r.expires_at,
    noticeHash: r.notice_hash as Hex,
    actor: r.actor as Address,
    timestamp: r.timestamp,
    seq: BigInt(r.seq),
    head: r.head as Hex,
    blockNumber: BigInt(r.block_number),
    txHash: r.tx_hash as Hex,
    logIndex: r.log_index,
  };
}

export type { HistoryDbRow };

const PAIRS = "(SELECT * FROM unnest($1::text[], $2::text[]))";

/**
 * Rebuilds the derived tables for the keys a range touched. The customers' and brands' balances are sums over
 * every event: when the range was `added` on top of what is stored, its events' changes are added to them (the
 * cost of a block stays that of its own events, however long a customer's or a brand's history); after a rewind
 * they are summed again from the events that remain.
 */
async function refreshDerived(tx: Queryable, keys: AffectedKeys, unitValue: bigint, added?: readonly PointsRow[]): Promise<void> {
  if (keys.consentPairs.size) await refreshConsents(tx, [...keys.consentPairs.values()]);
  if (keys.delegatePairs.size) {
    const pairs = [...keys.delegatePairs.values()];
    const args = [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
    await tx.query(`DELETE FROM delegates WHERE (subject, delegate) IN ${PAIRS}`, args);
    await tx.query(
      `INSERT INTO delegates (subject, delegate, until, block_number)
       SELECT DISTINCT ON (subject, delegate) subject, delegate, until, block_number FROM delegate_events
       WHERE (subject, delegate) IN ${PAIRS} ORDER BY subject, delegate, block_number DESC, log_index DESC`,
      args,
    );
  }
  if (keys.purposeKeys.size) {
    const pairs = [...keys.purposeKeys.values()];
    const args = [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
    await tx.query(`DELETE FROM purposes WHERE (controller, purpose) IN ${PAIRS}`, args);
    await tx.query(
      `INSERT INTO purposes (controller, purpose, notice_hash, notice_uri, version, defined_at, updated_at)
       SELECT DISTINCT ON (controller, purpose) controller, purpose, notice_hash, notice_uri,
         (count(*) OVER w)::integer, min(timestamp) OVER w, timestamp
       FROM purpose_notices WHERE (controller, purpose) IN ${PAIRS}
       WINDOW w AS (PARTITION BY controller, purpose)
       ORDER BY controller, purpose, block_number DESC, log_index DESC`,
      args,
    );
  }
  if (added) await addBalanceChanges(tx, added, unitValue);
  else {
    if (keys.customers.size) await recomputeCustomerBalances(tx, [...keys.customers]);
    if (keys.brands.size) await recomputeBrandBalances(tx, [...keys.brands], unitValue);
  }
  if (keys.brands.size) {
    const brands = [...keys.brands];
    await tx.query("DELETE FROM points_brands WHERE brand = ANY($1::text[])", [brands]);
    await tx.query(
      `INSERT INTO points_brands (brand, status, accepts_redemptions, updated_at)
       SELECT s.brand, s.status, coalesce(r.accepted, true), greatest(s.timestamp, coalesce(r.timestamp, 0)) FROM (
         SELECT DISTINCT ON (brand) brand, CASE kind WHEN 'brand_admitted' THEN 'admitted' ELSE 'suspended' END AS status, timestamp
         FROM points_events WHERE brand = ANY($1::text[]) AND kind IN ('brand_admitted', 'brand_suspended')
         ORDER BY brand, block_number DESC, log_index DESC) s
       LEFT JOIN (
         SELECT DISTINCT ON (brand) brand, amount = 1 AS accepted, timestamp
         FROM points_events WHERE brand = ANY($1::text[]) AND kind = 'redemptions_accepted'
         ORDER BY brand, block_number DESC, log_index DESC) r ON r.brand = s.brand`,
      [brands],
    );
    await tx.query("DELETE FROM points_operators WHERE brand = ANY($1::text[])", [brands]);
    await tx.query(
      `INSERT INTO points_operators (brand, operator, allowed, updated_at)
       SELECT DISTINCT ON (brand, counterparty) brand, counterparty, amount = 1, timestamp
       FROM points_events WHERE brand = ANY($1::text[]) AND kind = 'operator_set'
       ORDER BY brand, counterparty, block_number DESC, log_index DESC`,
      [brands],
    );
  }
}

/** Points kinds that count in a customer's balance as the event's own `customer` (a transfer: its sender). */
const CUSTOMER_KINDS = new Set(["issued", "reversed", "redeemed", "expired", "transfer"]);
/** Points kinds that count in a brand's account. */
const BRAND_KINDS = new Set(["deposited", "withdrawn", "issued", "reversed", "redeemed"]);

/** points_balances of `customers` summed from every stored event (balanceOf, lifetimeEarned, lastActivity). */
export async function recomputeCustomerBalances(tx: Queryable, customers: readonly string[]): Promise<void> {
  await tx.query("DELETE FROM points_balances WHERE customer = ANY($1::text[])", [customers]);
  await tx.query(
    `INSERT INTO points_balances (customer, balance, lifetime_earned, last_activity)
     SELECT who,
       sum(CASE WHEN kind IN ('issued', 'received') THEN amount ELSE -amount END),
       sum(CASE kind WHEN 'issued' THEN amount WHEN 'reversed' THEN -amount ELSE 0 END),
       coalesce(max(timestamp) FILTER (WHERE kind IN ('issued', 'redeemed', 'received')), 0)
     FROM (
       SELECT customer AS who, kind, amount, timestamp FROM points_events
         WHERE customer = ANY($1::text[]) AND kind IN ('issued', 'reversed', 'redeemed', 'expired', 'transfer')
       UNION ALL
       SELECT counterparty, 'received', amount, timestamp FROM points_events
         WHERE kind = 'transfer' AND counterparty = ANY($1::text[])
     ) e GROUP BY who`,
    [customers],
  );
}

/** brand_balances of `brands` summed from every stored event (brandBalance and the totals behind it). */
export async function recomputeBrandBalances(tx: Queryable, brands: readonly string[], unitValue: bigint): Promise<void> {
  await tx.query("DELETE FROM brand_balances WHERE brand = ANY($1::text[])", [brands]);
  await tx.query(
    `INSERT INTO brand_balances (brand, balance, deposited, withdrawn, points_issued, points_reversed, points_redeemed)
     SELECT brand, dep - wd + $2::numeric * (rev + red - iss), dep, wd, iss, rev, red FROM (
       SELECT brand,
         coalesce(sum(amount) FILTER (WHERE kind = 'deposited'), 0) AS dep,
         coalesce(sum(amount) FILTER (WHERE kind = 'withdrawn'), 0) AS wd,
         coalesce(sum(amount) FILTER (WHERE kind = 'issued'), 0) AS iss,
         coalesce(sum(amount) FILTER (WHERE kind = 'reversed'), 0) AS rev,
         coalesce(sum(amount) FILTER (WHERE kind = 'redeemed'), 0) AS red
       FROM points_events WHERE brand = ANY($1::text[])
         AND kind IN ('deposited', 'withdrawn', 'issued', 'reversed', 'redeemed')
       GROUP BY brand) t`,
    [brands, unitValue.toString()],
  );
}

/**
 * Adds the changes of `rows` (events just stored above everything else) to points_balances and brand_balances,
 * with the same rules as the sums above: a customer or brand gets its row with its first event that counts.
 */
async function addBalanceChanges(tx: Queryable, rows: readonly PointsRow[], unitValue: bigint): Promise<void> {
  const customers = new Map<string, { balance: bigint; earned: bigint; last: number }>();
  const brands = new Map<string, { deposited: bigint; withdrawn: bigint; issued: bigint; reversed: bigint; redeemed: bigint }>();
  const customer = (who: string) => {
    let c = customers.get(who);
    if (!c) customers.set(who, (c = { balance: 0n, earned: 0n, last: 0 }));
    return c;
  };
  for (const r of rows) {
    const amount = BigInt(r.amount);
    if (r.customer && CUSTOMER_KINDS.has(r.kind)) {
      const c = customer(r.customer);
      c.balance += r.kind === "issued" ? amount : -amount;
      if (r.kind === "issued") c.earned += amount;
      if (r.kind === "reversed") c.earned -= amount;
      if (r.kind === "issued" || r.kind === "redeemed") c.last = Math.max(c.last, r.timestamp);
    }
    if (r.kind === "transfer" && r.counterparty) {
      const c = customer(r.counterparty);
      c.balance += amount;
      c.last = Math.max(c.last, r.timestamp);
    }
    if (r.brand && BRAND_KINDS.has(r.kind)) {
      let b = brands.get(r.brand);
      if (!b) brands.set(r.brand, (b = { deposited: 0n, withdrawn: 0n, issued: 0n, reversed: 0n, redeemed: 0n }));
      b[r.kind as keyof typeof b] += amount;
    }
  }
  if (customers.size > 0) {
    const c = [...customers];
    await tx.query(
      `INSERT INTO points_balances (customer, balance, lifetime_earned, last_activity)
       SELECT * FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::bigint[])
       ON CONFLICT (customer) DO UPDATE SET balance = points_balances.balance + EXCLUDED.balance,
         lifetime_earned = points_balances.lifetime_earned + EXCLUDED.lifetime_earned,
         last_activity = greatest(points_balances.last_activity, EXCLUDED.last_activity)`,
      [c.map(([who]) => who), c.map(([, x]) => x.balance.toString()), c.map(([, x]) => x.earned.toString()), c.map(([, x]) => x.last)],
    );
  }
  if (brands.size > 0) {
    const b = [...brands];
    const column = (k: keyof (typeof b)[number][1]) => b.map(([, x]) => x[k].toString());
    await tx.query(
      `INSERT INTO brand_balances AS t (brand, balance, deposited, withdrawn, points_issued, points_reversed, points_redeemed)
       SELECT brand, dep - wd + $7::numeric * (rev + red - iss), dep, wd, iss, rev, red
         FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[]) AS q(brand, dep, wd, iss, rev, red)
       ON CONFLICT (brand) DO UPDATE SET deposited = t.deposited + EXCLUDED.deposited, withdrawn = t.withdrawn + EXCLUDED.withdrawn,
         points_issued = t.points_issued + EXCLUDED.points_issued, points_reversed = t.points_reversed + EXCLUDED.points_reversed,
         points_redeemed = t.points_redeemed + EXCLUDED.points_redeemed,
         balance = t.balance + EXCLUDED.balance`,
      [b.map(([brand]) => brand), column("deposited"), column("withdrawn"), column("issued"), column("reversed"), column("redeemed"), unitValue.toString()],
    );
  }
}

async function refreshConsents(tx: Queryable, pairs: [string, string][]): Promise<void> {
  const args = [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
  const { rows } = await tx.query<HistoryDbRow>(
    `SELECT ${HISTORY_COLUMNS} FROM consent_history WHERE (subject, controller) IN ${PAIRS} ORDER BY subject, controller, seq`,
    args,
  );
  await tx.query(`DELETE FROM consents WHERE (subject, controller) IN ${PAIRS}`, args);
  const groups = new Map<string, HistoryRecord[]>();
  for (const r of rows) {
    const k = `${r.subject}|${r.controller}`;
    const list = groups.get(k);
    const rec = rowToRecord(r);
    if (list) list.push(rec);
    else groups.set(k, [rec]);
  }
  const out: { s: string; c: string; p: string; cat: string; g: number; e: number; r: number; n: string; a: string; gs: number; rs: number; b: number }[] = [];
  for (const list of groups.values()) {
    for (const f of foldConsents(list).values()) {
      const last = f.ended ?? f.grant;
      out.push({
        s: f.grant.subject,
        c: f.grant.controller,
        p: f.grant.purpose,
        cat: f.grant.categories.toString(),
        g: f.grant.timestamp,
        e: f.grant.expiresAt,
        r: f.revokedAt,
        n: f.grant.noticeHash,
        a: f.grant.actor,
        gs: Number(f.grant.seq),
        rs: f.ended ? Number(f.ended.seq) : 0,
        b: Number(last.blockNumber ?? 0n),
      });
    }
  }
  if (!out.length) return;
  await tx.query(
    `INSERT INTO consents (subject, controller, purpose, categories, granted_at, expires_at, revoked_at, notice_hash, actor,
       granted_seq, revoked_seq, block_number)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[],
       $9::text[], $10::bigint[], $11::bigint[], $12::bigint[])`,
    [out.map((o) => o.s), out.map((o) => o.c), out.map((o) => o.p), out.map((o) => o.cat), out.map((o) => o.g), out.map((o) => o.e),
      out.map((o) => o.r), out.map((o) => o.n), out.map((o) => o.a), out.map((o) => o.gs), out.map((o) => o.rs), out.map((o) => o.b)],
  );
}
