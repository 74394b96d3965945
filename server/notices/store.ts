import type { Address, Hex } from "viem";
import type { Queryable } from "../store/db";
import { canonicalJson, noticeHash, type Notice } from "../../client/notices";
import { purposeId } from "../../client/purposes";

/** A stored notice version (table notice_documents). */
export interface StoredNotice {
  noticeHash: Hex;
  controller: Address;
  purpose: Hex;
  purposeName: string;
  version: number;
  createdAt: string;
}

type Row = { notice_hash: string; controller: string; purpose: string; purpose_name: string; version: number; created_at: Date };

const storedOf = (r: Row): StoredNotice => ({
  noticeHash: r.notice_hash as Hex,
  controller: r.controller as Address,
  purpose: r.purpose as Hex,
  purposeName: r.purpose_name,
  version: r.version,
  createdAt: r.created_at.toISOString(),
});

const COLUMNS = "notice_hash, controller, purpose, purpose_name, version, created_at";

/**
 * Stores a validated notice under its hash; storing the same document again changes nothing.
 * `created` is false when it was already there.
 */
export async function storeNotice(db: Queryable, notice: Notice): Promise<{ notice: StoredNotice; created: boolean }> {
  const hash = noticeHash(notice);
  const inserted = await db.query<Row>(
    `INSERT INTO notice_documents (notice_hash, controller, purpose, purpose_name, version, document)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (notice_hash) DO NOTHING RETURNING ${COLUMNS}`,
    [hash, notice.controller.address.toLowerCase(), purposeId(notice.purpose.name), notice.purpose.name, notice.version, canonicalJson(notice)],
  );
  if (inserted.rows[0]) return { notice: storedOf(inserted.rows[0]), created: true };
  const existing = await db.query<Row>(`SELECT ${COLUMNS} FROM notice_documents WHERE notice_hash = $1`, [hash]);
  return { notice: storedOf(existing.rows[0]!), created: false };
}

/** The canonical JSON stored under `hash` (lower-case), or undefined. */
export async function noticeDocument(db: Queryable, hash: Hex): Promise<string | undefined> {
  const { rows } = await db.query<{ document: string }>("SELECT document FROM notice_documents WHERE notice_hash = $1", [hash.toLowerCase()]);
  return rows[0]?.document;
}
