import crypto from "node:crypto";
import type { Address, Hex } from "viem";
import { enqueueOperation } from "../../server/chain/outbox";
import { isConsentGranted } from "../../server/consent/gate";
import { PURPOSES } from "../../client/purposes";
import { openDb } from "../../server/store/db";
import { figure, type Figure } from "./stats";

const randomAddress = (): Address => `0x${crypto.randomBytes(20).toString("hex")}`;

/**
 * Consent checks per second: the relay's gate (`isConsentGranted`) called directly, one after another,
 * against a PGlite database holding `rows` indexed consents and some pending revocations, PGlite in this thread
 * (so the figure is the gate's own cost, not that of crossing to PGlite's worker thread once per call).
 */
export async function benchConsentGate(p: { dataDir: string; rows: number; checks: number; runs: number }): Promise<{ rows: number; checks: number; perSecond: Figure }> {
  const db = await openDb({ dataDir: p.dataDir, pgliteWorker: false });
  try {
    const controller = randomAddress();
    const subjects: Address[] = [];
    const purposes = [PURPOSES.inStoreRecognition, PURPOSES.loyalty];
    for (let i = 0; i < p.rows; i += 500) {
      const values: string[] = [];
      const params: unknown[] = [];
      for (let k = i; k < Math.min(p.rows, i + 500); k++) {
        const subject = randomAddress();
        if (k % 2 === 0) subjects.push(subject);
        const revoked = k % 20 === 10 ? 1_700_000_100 : 0;
        params.push(subject, controller, purposes[k % 2], revoked);
        const n = params.length;
        values.push(`($${n - 3}, $${n - 2}, $${n - 1}, '5', 1700000000, 0, $${n}, '0x${"00".repeat(32)}', $${n - 3}, ${k + 1}, 0, 1)`);
      }
      await db.query(
        `INSERT INTO consents (subject, controller, purpose, categories, granted_at, expires_at, revoked_at, notice_hash, actor, granted_seq, revoked_seq, block_number) VALUES ${values.join(",")}`,
        params,
      );
    }
    // Pending revocations (queued, not yet indexed) for a few subjects: the gate must see them.
    for (const subject of subjects.slice(0, 50)) {
      await db.transaction((tx) =>
        enqueueOperation(tx, {
          kind: "revoke",
          contract: "ledger",
          functionName: "revokeBySig",
          args: [subject, controller, PURPOSES.inStoreRecognition, 0n, "0x"],
          subject,
          controller,
          purpose: PURPOSES.inStoreRecognition as Hex,
        }),
      );
    }
    const perSecond: number[] = [];
    for (let r = 0; r < p.runs; r++) {
      const t0 = performance.now();
      for (let i = 0; i < p.checks; i++) {
        await isConsentGranted(db, { subject: subjects[i % subjects.length]!, controller, purpose: PURPOSES.inStoreRecognition });
      }
      perSecond.push(p.checks / ((performance.now() - t0) / 1000));
    }
    return { rows: p.rows, checks: p.checks, perSecond: figure(perSecond) };
  } finally {
    await db.close();
  }
}
