import type { Logger } from "pino";
import type { Db } from "../store/db";
import type { Service } from "../deps";
import { sleep } from "../indexer/rpcRange";
import { purposeNamer } from "../brands/purposes";
import { isoSeconds, purposeFields, queueEvents, type NewEvent } from "./events";

/**
 * `consent.expired`: grants with an expiry are watched from the moment they are indexed
 * (webhook_expiry_watch); once "now" reaches a grant's expiresAt, one transaction takes its watch row
 * away and queues the event, unless the consent ended before (a later grant or revocation of that purpose,
 * or a revoke-all, before the expiry: the `consent_expiries` view, which the history reads share; or a
 * revocation of it that the relay accepted, and announced, before the expiry, even when the chain recorded
 * it after). So each consent's expiry is
 * queued at most once, and exactly once when the consent ran until it.
 */
export type ExpiryRow = {
  controller: string;
  grant_seq: number;
  subject: string;
  purpose: string;
  expires_at: number;
};

const PASS_LIMIT = 500;

/** The earliest watched expiry (unix seconds), or null when nothing is watched. */
export async function nextExpiry(db: Db): Promise<number | null> {
  const { rows } = await db.query<{ t: number | null }>("SELECT min(expires_at) AS t FROM webhook_expiry_watch");
  return rows[0]?.t ?? null;
}

/**
 * Handles up to `limit` watched grants whose expiry is at or before `now` (unix seconds): how many it
 * handled, and how many `consent.expired` events it queued.
 */
export async function processExpiries(db: Db, now: number, limit = PASS_LIMIT): Promise<{ handled: number; queued: number }> {
  return db.transaction(async (tx) => {
    const due = await tx.query<ExpiryRow>(
      `SELECT controller, grant_seq, subject, purpose, expires_at FROM webhook_expiry_watch
       WHERE expires_at <= $1 ORDER BY expires_at, controller, grant_seq LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    if (due.rows.length === 0) return { handled: 0, queued: 0 };
    const keys = [due.rows.map((r) => r.controller), due.rows.map((r) => r.grant_seq)];
    const ran = await tx.query<{ controller: string; grant_seq: number; notice_hash: string; categories: string }>(
      `SELECT v.controller, v.grant_seq, v.notice_hash, v.categories FROM consent_expiries v
       WHERE (v.controller, v.grant_seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))
         AND NOT EXISTS (
           SELECT 1 FROM webhook_events e LEFT JOIN operations o ON o.id::text = e.operation_id
           WHERE e.operation_id IS NOT NULL AND (e.matched_seq IS NULL OR e.matched_seq > v.grant_seq) AND NOT e.retracted
             AND e.brand = v.controller AND e.subject = v.subject AND (e.purpose IS NULL OR e.purpose = v.purpose)
             AND e.created_at < to_timestamp(v.expires_at) AND o.status IS DISTINCT FROM 'failed')`,
      keys,
    );
    const grant = new Map(ran.rows.map((r) => [`${r.controller}:${r.grant_seq}`, r]));
    const nameOf = await purposeNamer(tx, ran.rows.map((r) => r.controller));
    const events: NewEvent[] = [];
    for (const r of due.rows) {
      const g = grant.get(`${r.controller}:${r.grant_seq}`);
      if (!g) continue;
      events.push({
        brand: r.controller,
        type: "consent.expired",
        subject: r.subject,
        sourceKey: `expired:${r.controller}:${r.grant_seq}:${r.subject}:${r.purpose}:${r.expires_at}`,
        data: {
          brand: r.controller,
          subject: r.subject,
          ...purposeFields(r.purpose, nameOf(r.controller, r.purpose)),
          categories: g.categories,
          noticeHash: g.notice_hash,
          expiresAt: isoSeconds(r.expires_at),
          occurredAt: isoSeconds(r.expires_at),
          source: "relay",
          grantSeq: r.grant_seq,
        },
      });
    }
    await tx.query("DELETE FROM webhook_expiry_watch WHERE (controller, grant_seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))", keys);
    return { handled: due.rows.length, queued: await queueEvents(tx, events) };
  });
}

export interface ExpiryJobOptions {
  db: Db;
  /** "Now" in unix seconds: the relay uses the later of its clock and the chain's latest block time. */
  now: () => Promise<number>;
  pollMs: number;
  logger: Logger;
  /** Called with the number of events queued by each pass that queued some. */
  onQueued?: (n: number) => void;
}

/** The periodic job: every `pollMs`, queues the expiries that have passed (so at most `pollMs` late, plus the time of a pass). */
export function startExpiryJob(o: ExpiryJobOptions): Service {
  const wake = new AbortController();
  let stopped = false;
  const pass = async () => {
    const next = await nextExpiry(o.db);
    if (next === null) return;
    const wall = Math.floor(Date.now() / 1000);
    const now = next <= wall ? wall : await o.now();
    if (next > now) return;
    for (;;) {
      const { handled, queued } = await processExpiries(o.db, now, PASS_LIMIT);
      if (queued > 0) o.onQueued?.(queued);
      if (handled < PASS_LIMIT || stopped) return;
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await pass().catch((err: Error) => o.logger.warn({ err: { message: err.message } }, "expiry pass failed"));
      await sleep(o.pollMs, wake.signal);
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake.abort();
      await loop;
    },
  };
}
