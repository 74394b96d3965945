import type { Queryable } from "../store/db";
import type { DecodedRange, HistoryRow, PointsRow } from "../indexer/decode";
import { HistoryAction } from "../audit/historyChain";
import { purposeNamer } from "../brands/purposes";
import { isoSeconds, lockQueue, purposeFields, queueEvents, RETRACTED, subscribersOf, type ChainLocation, type NewEvent } from "./events";

/**
 * The indexer's hooks, run inside the transaction that stores a range (or rewinds one), so that an event
 * is queued if and only if its cause is stored, once.
 *
 * - A grant queues `consent.granted`, or `consent.notice_renewed` when the customer's consent to that
 *   purpose was active on another notice version; a grant with an expiry is watched for `consent.expired`.
 * - A revocation or revoke-all queues `consent.revoked`, unless the relay already announced it when it
 *   accepted it (the oldest such announcement of the same subject, brand and purpose, whose operation has
 *   not failed, is matched with the on-chain record instead: one event per revocation). A grant that such
 *   a still unmatched announcement will end queues nothing: the brand was already told the consent ended.
 * - Points issued, reversed and redeemed queue `points.*` for the brand concerned.
 * Only brands registered at this relay are concerned; an event no endpoint subscribes to is not stored.
 */
const chainSource = (l: ChainLocation) => `chain:${l.blockHash}:${l.logIndex}`;

const location = (r: { blockNumber: number; blockHash: string; txHash: string; logIndex: number }): ChainLocation => ({
  blockNumber: r.blockNumber,
  blockHash: r.blockHash,
  txHash: r.txHash,
  logIndex: r.logIndex,
});

interface Announcement {
  seq: number;
  brand: string;
  subject: string;
  /** null: revoke-all. */
  purpose: string | null;
  failed: boolean;
  matched: boolean;
}

interface PriorConsent {
  noticeHash: string;
  expiresAt: number;
  ended: boolean;
}

const POINTS_TYPES = { issued: "points.issued", reversed: "points.reversed", redeemed: "points.redeemed" } as const;

type PointsEventRow = PointsRow & { kind: keyof typeof POINTS_TYPES };

type Item = { kind: "history"; row: HistoryRow } | { kind: "points"; row: PointsEventRow };

/** The indexer's hook for a range about to be stored (the `consents` table still holds the state before it). */
export async function queueChainEvents(tx: Queryable, d: DecodedRange): Promise<void> {
  const points = d.points.filter((p): p is PointsEventRow => p.kind in POINTS_TYPES && p.brand !== null);
  const concerned = new Set([...d.history.map((h) => h.record.controller.toLowerCase()), ...points.map((p) => p.brand!)]);
  if (concerned.size === 0) return;
  const relayBrands = new Set(
    (await tx.query<{ address: string }>("SELECT address FROM relay_brands WHERE address = ANY($1::text[])", [[...concerned]])).rows.map((r) => r.address),
  );
  if (relayBrands.size === 0) return;
  const history = d.history.filter((h) => relayBrands.has(h.record.controller.toLowerCase()));
  const ours = points.filter((p) => relayBrands.has(p.brand!));

  const watched = history.filter((h) => h.record.action === HistoryAction.Grant && h.record.expiresAt > 0);
  if (watched.length) {
    await tx.query(
      `INSERT INTO webhook_expiry_watch (controller, grant_seq, subject, purpose, expires_at, block_number)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[]) ON CONFLICT DO NOTHING`,
      [
        watched.map((h) => h.record.controller.toLowerCase()),
        watched.map((h) => Number(h.record.seq)),
        watched.map((h) => h.record.subject.toLowerCase()),
        watched.map((h) => h.record.purpose.toLowerCase()),
        watched.map((h) => h.record.expiresAt),
        watched.map((h) => h.blockNumber),
      ],
    );
  }
  // Without subscribers nothing is queued; revocations are still matched with the relay's announcements.
  const subscribers = await subscribersOf(tx, [...relayBrands]);
  const revocations = history.some((h) => h.record.action !== HistoryAction.Grant);
  if (subscribers.size === 0 && !revocations) return;
  const nameOf = await purposeNamer(tx, subscribers.size ? [...relayBrands] : []);

  const subjects = [...new Set(history.map((h) => h.record.subject.toLowerCase()))];
  const brands = [...new Set(history.map((h) => h.record.controller.toLowerCase()))];
  const announcements: Announcement[] = history.length
    ? (
        await tx.query<{ seq: number; brand: string; subject: string; purpose: string | null; status: string | null }>(
          `SELECT e.seq, e.brand, e.subject, e.purpose, o.status FROM webhook_events e LEFT JOIN operations o ON o.id::text = e.operation_id
           WHERE e.operation_id IS NOT NULL AND e.matched_seq IS NULL AND NOT e.retracted
             AND e.brand = ANY($1::text[]) AND e.subject = ANY($2::text[])
           ORDER BY e.seq`,
          [brands, subjects],
        )
      ).rows.map((r) => ({ seq: r.seq, brand: r.brand, subject: r.subject, purpose: r.purpose, failed: r.status === "failed", matched: false }))
    : [];

  const prior = new Map<string, PriorConsent>();
  const grants = subscribers.size ? history.filter((h) => h.record.action === HistoryAction.Grant) : [];
  if (grants.length) {
    const pairs = [...new Map(grants.map((g) => [`${g.record.subject}|${g.record.controller}`.toLowerCase(), g.record])).values()];
    const { rows } = await tx.query<{ subject: string; controller: string; purpose: string; notice_hash: string; expires_at: number; revoked_seq: number }>(
      `SELECT subject, controller, purpose, notice_hash, expires_at, revoked_seq FROM consents
       WHERE (subject, controller) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [pairs.map((p) => p.subject.toLowerCase()), pairs.map((p) => p.controller.toLowerCase())],
    );
    for (const r of rows) prior.set(`${r.subject}|${r.controller}|${r.purpose}`, { noticeHash: r.notice_hash, expiresAt: r.expires_at, ended: r.revoked_seq !== 0 });
  }

  const items: Item[] = [
    ...history.map((row): Item => ({ kind: "history", row })),
    ...ours.map((row): Item => ({ kind: "points", row })),
  ].sort((a, b) => a.row.blockNumber - b.row.blockNumber || a.row.logIndex - b.row.logIndex);

  const events: NewEvent[] = [];
  const matches: { seq: number; chainSeq: number; block: number }[] = [];
  for (const item of items) {
    if (item.kind === "points") {
      const p = item.row;
      const ref = p.kind === "redeemed" ? { orderRef: p.ref } : { receiptId: p.ref };
      events.push({
        brand: p.brand!,
        type: POINTS_TYPES[p.kind],
        subject: p.customer ?? undefined,
        sourceKey: chainSource(p),
        blockNumber: p.blockNumber,
        data: { brand: p.brand, customer: p.customer, points: p.amount, ...ref, occurredAt: isoSeconds(p.timestamp), chain: location(p) },
      });
      continue;
    }
    const h = item.row;
    const r = h.record;
    const brand = r.controller.toLowerCase();
    const subject = r.subject.toLowerCase();
    const purpose = r.purpose.toLowerCase();
    const chain = { ...location(h), seq: Number(r.seq) };
    const open = (p: string | null) =>
      announcements.filter((a) => !a.matched && !a.failed && a.brand === brand && a.subject === subject && (p === null ? a.purpose === null : a.purpose === p));
    if (r.action === HistoryAction.Grant) {
      const key = `${subject}|${brand}|${purpose}`;
      const before = prior.get(key);
      prior.set(key, { noticeHash: r.noticeHash.toLowerCase(), expiresAt: r.expiresAt, ended: false });
      if (open(purpose).length > 0 || open(null).length > 0) continue;
      const wasActive = before !== undefined && !before.ended && (before.expiresAt === 0 || h.timestamp < before.expiresAt);
      const renewed = wasActive && before.noticeHash !== r.noticeHash.toLowerCase();
      events.push({
        brand,
        type: renewed ? "consent.notice_renewed" : "consent.granted",
        subject,
        sourceKey: chainSource(h),
        blockNumber: h.blockNumber,
        data: {
          brand,
          subject,
          ...purposeFields(purpose, nameOf(brand, purpose)),
          categories: r.categories.toString(),
          expiresAt: r.expiresAt === 0 ? null : isoSeconds(r.expiresAt),
          noticeHash: r.noticeHash.toLowerCase(),
          ...(renewed ? { previousNoticeHash: before.noticeHash } : {}),
          actor: r.actor.toLowerCase(),
          occurredAt: isoSeconds(h.timestamp),
          source: "chain",
          chain,
        },
      });
      continue;
    }
    const all = r.action === HistoryAction.RevokeAll;
    for (const [k, c] of prior) if (k.startsWith(`${subject}|${brand}|`) && (all || k.endsWith(`|${purpose}`))) c.ended = true;
    const announced = open(all ? null : purpose)[0];
    if (announced) {
      announced.matched = true;
      matches.push({ seq: announced.seq, chainSeq: Number(r.seq), block: h.blockNumber });
      continue;
    }
    events.push({
      brand,
      type: "consent.revoked",
      subject,
      sourceKey: chainSource(h),
      blockNumber: h.blockNumber,
      data: {
        brand,
        subject,
        ...purposeFields(all ? null : purpose, nameOf(brand, purpose)),
        scope: all ? "all" : "purpose",
        actor: r.actor.toLowerCase(),
        occurredAt: isoSeconds(h.timestamp),
        source: "chain",
        chain,
      },
    });
  }
  for (const m of matches) {
    await tx.query("UPDATE webhook_events SET matched_seq = $2, matched_block = $3 WHERE seq = $1", [m.seq, m.chainSeq, m.block]);
  }
  await queueEvents(tx, events, subscribers);
}

/**
 * The indexer's hook for a rewind to block `after` (everything stored above it is being deleted): events
 * caused in those blocks are retracted; their deliveries not yet attempted are cancelled, and every
 * endpoint that may have received one (an attempt was made) gets an `event.retracted` naming it. The
 * matches of relay announcements with rewound records are undone, and grants rewound stop being watched.
 */
export async function retractChainEvents(tx: Queryable, after: number): Promise<void> {
  // Watch rows first, then the queue lock: the order the expiry job takes them in.
  await tx.query("DELETE FROM webhook_expiry_watch WHERE block_number > $1", [after]);
  await tx.query("UPDATE webhook_events SET matched_seq = NULL, matched_block = NULL WHERE matched_block > $1", [after]);
  await lockQueue(tx);
  const retracted = await tx.query<{ seq: number; id: string; brand: string; type: string; subject: string | null; block_number: number }>(
    "UPDATE webhook_events SET retracted = true WHERE block_number > $1 AND NOT retracted RETURNING seq, id, brand, type, subject, block_number",
    [after],
  );
  if (retracted.rows.length) {
    const seqs = retracted.rows.map((r) => r.seq);
    await tx.query(
      "UPDATE webhook_deliveries SET status = 'cancelled', finished_at = now(), updated_at = now() WHERE event_seq = ANY($1::bigint[]) AND status = 'pending'",
      [seqs],
    );
    const seen = await tx.query<{ event_seq: number; endpoint_id: string }>(
      "SELECT DISTINCT event_seq, endpoint_id::text AS endpoint_id FROM webhook_deliveries WHERE event_seq = ANY($1::bigint[]) AND attempts > 0 ORDER BY event_seq, endpoint_id",
      [seqs],
    );
    const to = new Map<number, string[]>();
    for (const s of seen.rows) to.set(s.event_seq, [...(to.get(s.event_seq) ?? []), s.endpoint_id]);
    await queueEvents(
      tx,
      retracted.rows
        .filter((r) => to.has(r.seq))
        .sort((a, b) => a.seq - b.seq)
        .map((r) => ({
          brand: r.brand,
          type: RETRACTED,
          subject: r.subject ?? undefined,
          sourceKey: `retract:${r.id}`,
          endpoints: to.get(r.seq)!,
          data: { retractedEventId: r.id, retractedType: r.type, reason: "chain_reorganisation", blockNumber: r.block_number },
        })),
    );
  }
}
