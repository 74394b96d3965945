/**
 * Delivery throughput of the webhooks' delivery loop: N events queued in one transaction for E endpoints
 * of one brand, delivered by one relay's loop to a local HTTP receiver that answers at once; prints
 * deliveries per second. The database is PGlite in memory, or PostgreSQL in a schema of its own (dropped
 * at the end) when DATABASE_URL is set. Not part of `npm run bench`:
 *
 *   npx ts-node --transpile-only scripts/bench/webhooks.ts            (N=2000 ENDPOINTS=1 by default)
 *   ENDPOINTS=4 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx ts-node --transpile-only scripts/bench/webhooks.ts
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import pino from "pino";
import { Registry } from "prom-client";
import { loadConfig } from "../../server/config";
import { openDb } from "../../server/store/db";
import { createEndpoint } from "../../server/webhooks/endpoints";
import { queueEvents } from "../../server/webhooks/events";
import { WebhookDispatcher } from "../../server/webhooks/dispatcher";
import { webhookMetrics } from "../../server/webhooks/metrics";

async function main(): Promise<void> {
  const n = Number(process.env.N ?? 2000);
  const endpoints = Number(process.env.ENDPOINTS ?? 1);
  const base = process.env.DATABASE_URL;
  const schema = `bench_webhooks_${crypto.randomBytes(4).toString("hex")}`;
  let url: string | undefined;
  if (base) {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const u = new URL(base);
    u.searchParams.set("options", `-c search_path=${schema}`);
    url = u.toString();
  }
  const db = await openDb({ databaseUrl: url });
  const brand = "0x00000000000000000000000000000000000000b1";
  await db.query(
    "INSERT INTO relay_brands (address, name, points_per_unit, operator, api_key_hash, receipt_salt) VALUES ($1, 'Bench', 1, $1, 'bench', 'bench')",
    [brand],
  );
  let received = 0;
  let finish!: () => void;
  const all = new Promise<void>((resolve) => (finish = resolve));
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.end("ok");
      if (++received === n * endpoints) finish();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  for (let e = 0; e < endpoints; e++) {
    await createEndpoint(db, brand, { url: `http://127.0.0.1:${port}/e${e}`, eventTypes: ["points.issued"], description: "", enabled: true }, endpoints);
  }
  const config = loadConfig({ WEBHOOK_ALLOW_LOOPBACK: "true", WEBHOOK_POLL_MS: "20", LOG_LEVEL: "silent" });
  const customer = "0x00000000000000000000000000000000000000c1";
  const t0 = performance.now();
  await db.transaction((tx) =>
    queueEvents(
      tx,
      Array.from({ length: n }, (_, i) => ({ brand, type: "points.issued" as const, subject: customer, sourceKey: `bench:${i}`, data: { brand, customer, points: "10", i } })),
    ),
  );
  const queued = performance.now();
  const loop = new WebhookDispatcher({ db, config, logger: pino({ level: "silent" }), metrics: webhookMetrics(new Registry(), db) }).start();
  await all;
  const done = performance.now();
  await loop.stop();
  receiver.close();
  await db.close();
  if (base) {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
  const seconds = (done - queued) / 1000;
  process.stdout.write(
    `${db.kind}: ${n} events x ${endpoints} endpoint(s) queued in ${Math.round(queued - t0)} ms, delivered in ${seconds.toFixed(1)} s: ${Math.round((n * endpoints) / seconds)} deliveries/s\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
