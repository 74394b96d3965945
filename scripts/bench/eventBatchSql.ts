/**
 * The device-event batch's SQL alone, for working on its statements: no HTTP, no relay process. A fresh
 * database (PGlite in a temporary folder, or a schema of its own in DATABASE_URL's PostgreSQL, dropped at the
 * end) with one brand, one device and CUSTOMERS (64) consenting customers; then BATCHES (300) batches of BATCH
 * (24) signed presence events through `handleEventBatch`, one after the other, each in its own transaction as
 * the batcher runs them. Prints the events per second and each statement's mean time, over the first and the
 * last 20 batches too (visits accumulate as it runs); with EXPLAIN=1, each statement's plan for the last batch.
 * Not part of `npm run bench`:
 *
 *   npx ts-node --transpile-only scripts/bench/eventBatchSql.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx ts-node --transpile-only scripts/bench/eventBatchSql.ts
 */
import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openDb, type Queryable } from "../../server/store/db";
import { loadConfig } from "../../server/config";
import { handleEventBatch, type EventRequest } from "../../server/devices/eventBatch";
import { PURPOSE_OF_EVENT } from "../../server/consent/purposes";
import { canonicalRequest } from "../../client/device/canonicalRequest";
import { dropSchema, freshSchema } from "./relayProcess";

const BRAND = `0x${"ab".repeat(20)}`;
const EVENT_PATH = "/v1/stores/s1/events";

async function main(): Promise<void> {
  const customers = Number(process.env.CUSTOMERS ?? 64);
  const size = Number(process.env.BATCH ?? 24);
  const batches = Number(process.env.BATCHES ?? 300);
  const base = process.env.DATABASE_URL;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "confiance-batch-sql-"));
  const schema = base ? await freshSchema(base, "batch_sql") : undefined;
  const db = await openDb(schema ? { databaseUrl: schema.url } : { dataDir: dir });
  try {
    const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
    const raw = publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("base64url");
    await db.query("INSERT INTO relay_brands (address, name, points_per_unit, operator, api_key_hash, receipt_salt) VALUES ($1, 'Bench', 1, $1, 'unused', 'salt')", [BRAND]);
    await db.query("INSERT INTO relay_stores (brand, id, name) VALUES ($1, 's1', 'Bench store')", [BRAND]);
    await db.query("INSERT INTO relay_devices (id, brand, store_id, name, public_key) VALUES ('door-1', $1, 's1', 'Door', $2)", [BRAND, raw]);
    const wallets = Array.from({ length: customers }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`);
    await db.query(
      `INSERT INTO consents (subject, controller, purpose, categories, granted_at, expires_at, revoked_at, notice_hash, actor, granted_seq, revoked_seq, block_number)
       SELECT w, $2, $3, '0x', 1, 0, 0, '0x', w, 1, 0, 1 FROM unnest($1::text[]) AS w`,
      [wallets, BRAND, PURPOSE_OF_EVENT.presence!.id.toLowerCase()],
    );
    await db.query("INSERT INTO indexer_cursor (block_number, block_hash) VALUES (10, '0x')");
    const config = loadConfig({ DEPLOYMENT_FILE: "unused" });

    const times = new Map<string, number[]>();
    const note = (label: string, ms: number) => (times.get(label) ?? times.set(label, []).get(label)!).push(ms);
    const last = new Map<string, { sql: string; params: unknown }>();
    const timed = (tx: Queryable): Queryable => ({
      async query(sql, params) {
        last.set(sql.replace(/\s+/g, " ").trim().slice(0, 48), { sql, params });
        const t = performance.now();
        const r = await tx.query(sql, params);
        note(sql.replace(/\s+/g, " ").trim().slice(0, 48), performance.now() - t);
        return r as never;
      },
    });
    let n = 0;
    let batchMs = 0;
    for (let b = 0; b < batches; b++) {
      const requests: EventRequest[] = Array.from({ length: size }, () => {
        const body = JSON.stringify({ eventId: `e-${n}`, kind: "presence", customer: { wallet: wallets[n++ % customers] } });
        const timestamp = String(Math.floor(Date.now() / 1000));
        const canonical = canonicalRequest({ method: "POST", path: EVENT_PATH, timestamp, nonce: crypto.randomBytes(12).toString("base64url"), deviceId: "door-1", body });
        return { deviceId: "door-1", timestamp, signature: crypto.sign(null, Buffer.from(canonical), privateKey).toString("base64url"), canonical, storeId: "s1", body: JSON.parse(body) };
      });
      const t = performance.now();
      const results = await db.transaction((tx) => handleEventBatch(timed(tx), config, requests, { locks: db.kind === "postgres" }));
      const ms = performance.now() - t;
      batchMs += ms;
      note("whole batch (transaction)", ms);
      const refused = results.find((r) => r.kind !== "done" || r.outcome.dropped);
      if (refused) throw new Error(`an event was not accepted: ${JSON.stringify(refused)}`);
    }
    console.log(`${db.kind}: ${n} events in ${batches} batches of ${size}: ${((n / batchMs) * 1000).toFixed(0)} events/s in the batches' transactions`);
    const mean = (v: number[]) => v.reduce((a, x) => a + x, 0) / v.length;
    for (const [label, v] of times) {
      console.log(`  ${mean(v).toFixed(2).padStart(6)} ms (first 20 ${mean(v.slice(0, 20)).toFixed(2)}, last 20 ${mean(v.slice(-20)).toFixed(2)})  ${label}`);
    }
    // EXPLAIN=1: each statement's plan with the last batch's parameters, in a transaction rolled back.
    const undo = new Error("roll back");
    if (process.env.EXPLAIN) {
      for (const [label, { sql, params }] of last) {
        await db
          .transaction(async (tx) => {
            const { rows } = await tx.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, TIMING on) ${sql}`, params as unknown[]);
            console.log(`${label}\n${rows.map((r) => r["QUERY PLAN"]).filter((l) => /Time|->/.test(l)).join("\n")}`);
            throw undo;
          })
          .catch((err: Error) => {
            // A write of rows the last batch wrote already conflicts with them: its plan is not shown.
            if (err !== undo) console.log(`${label}\n  (not explained: ${err.message})`);
          });
      }
    }
  } finally {
    await db.close();
    if (schema) await dropSchema(base!, schema.schema);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
