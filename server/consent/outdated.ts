import type { Address, Hex } from "viem";
import type { Queryable } from "../store/db";

/** An active consent that rests on an older notice than the purpose's current one. */
export interface OutdatedConsent {
  subject: Address;
  purpose: Hex;
  /** The notice the customer agreed to. */
  noticeHash: Hex;
  /** The purpose's current notice (on chain, as indexed). */
  currentNoticeHash: Hex;
  /** Version numbers of both (1 = the first notice the brand published for the purpose); null when the older one is not indexed. */
  noticeVersion: number | null;
  currentVersion: number;
  grantedAt: number;
  /** 0: no expiry. */
  expiresAt: number;
}

export interface OutdatedConsentsParameters {
  controller: Address;
  /** Only this purpose (its id); every purpose when omitted. */
  purpose?: Hex | undefined;
  /** Unix seconds: consents expired by then are not active. */
  now: number;
  /** At most this many, in (purpose, subject) order. */
  limit: number;
  /** Resume after this (purpose, subject) (the previous page's last). */
  after?: { purpose: Hex; subject: Address } | undefined;
}

/**
 * The customers of `controller` whose active consent (granted, not revoked, not expired, as indexed)
 * names a notice that is no longer the purpose's current one: those the brand may ask to renew.
 */
export async function outdatedConsents(db: Queryable, p: OutdatedConsentsParameters): Promise<OutdatedConsent[]> {
  const { rows } = await db.query<{
    subject: string;
    purpose: string;
    notice_hash: string;
    current: string;
    version: number;
    granted_at: number;
    expires_at: number;
    old_version: number | null;
  }>(
    `SELECT c.subject, c.purpose, c.notice_hash, p.notice_hash AS current, p.version, c.granted_at, c.expires_at,
            (SELECT count(*)::int FROM purpose_notices n
              WHERE n.controller = c.controller AND n.purpose = c.purpose
                AND (n.block_number, n.log_index) <= (SELECT o.block_number, o.log_index FROM purpose_notices o
                  WHERE o.controller = c.controller AND o.purpose = c.purpose AND o.notice_hash = c.notice_hash
                  ORDER BY o.block_number DESC, o.log_index DESC LIMIT 1)) AS old_version
       FROM consents c JOIN purposes p ON p.controller = c.controller AND p.purpose = c.purpose
      WHERE c.controller = $1 AND c.granted_at > 0 AND c.revoked_at = 0 AND (c.expires_at = 0 OR c.expires_at > $2)
        AND c.notice_hash <> p.notice_hash
        AND ($3::text IS NULL OR c.purpose = $3)
        AND ($4::text IS NULL OR (c.purpose, c.subject) > ($4::text, $5::text))
      ORDER BY c.purpose, c.subject
      LIMIT $6`,
    [p.controller.toLowerCase(), p.now, p.purpose?.toLowerCase() ?? null, p.after?.purpose.toLowerCase() ?? null, p.after?.subject.toLowerCase() ?? null, p.limit],
  );
  return rows.map((r) => ({
    subject: r.subject as Address,
    purpose: r.purpose as Hex,
    noticeHash: r.notice_hash as Hex,
    currentNoticeHash: r.current as Hex,
    noticeVersion: r.old_version || null,
    currentVersion: r.version,
    grantedAt: Number(r.granted_at),
    expiresAt: Number(r.expires_at),
  }));
}
