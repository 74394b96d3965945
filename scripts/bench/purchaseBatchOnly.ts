/**
 * The purchases' group commit alone (server/devices/purchaseBatch.ts), without HTTP, device signatures or a
 * chain: how many purchases per second its transactions record, in batches of BATCH (default 64), on PGlite (a
 * folder, as the relay keeps it) or PostgreSQL (BENCH_DB=postgres, DATABASE_URL). The backing check runs on a
 * given balance. ALONE=1: each purchase in a transaction of its own instead (events.ts handleDeviceEvent, as
 * before the group commit; no chain read). `npx ts-node --transpile-only scripts/bench/purchaseBatchOnly.ts`
 * [BENCH_DB=postgres] [PURCHASES=3000] [BATCH=64] [RUNS=3] [ALONE=1].
 */
import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { keccak256, toHex, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { purposeId } from "../../client/purposes";
import { createBrand, createDevice, createStore } from "../../server/brands/registry";
import { loadConfig } from "../../server/config";
import { handlePurchaseBatch, type PurchaseRequest } from "../../server/devices/purchaseBatch";
import { handleDeviceEvent } from "../../server/devices/events";
import { openDb } from "../../server/store/db";
import { dropSchema, freshSchema } from "./relayProcess";
import { figure } from "./stats";

async function main(): Promise<void> {
  const count = Number(process.env.PURCHASES ?? 3000);
  const size = Number(process.env.BATCH ?? 64);
  const runs = Number(process.env.RUNS ?? 3);
  const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const pg = process.env.BENCH_DB === "postgres";
  const schema = pg ? await freshSchema(url, "purchase-batch") : undefined;
  const dir = pg ? undefined : await fs.mkdtemp(path.join(os.tmpdir(), "confiance-purchase-batch-"));
  const db = await openDb(pg ? { databaseUrl: schema!.url } : { dataDir: dir });
  const config = loadConfig({ LOG_LEVEL: "silent" });
  const address = privateKeyToAccount(generatePrivateKey()).address;
  const { brand } = await createBrand(db, { address, name: "Bench", pointsPerUnit: "2", operator: privateKeyToAccount(generatePrivateKey()).address });
  await createStore(db, { id: "s1", brand: brand.address, name: "store" });
  const device = await createDevice(db, { id: "till", brand: brand.address, storeId: "s1", name: "till", publicKey: "unused" });
  const customers: Address[] = Array.from({ length: 64 }, () => privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as Address);
  // The customers' loyalty grants, as the indexer records them.
  for (const c of customers) {
    await db.query(
      `INSERT INTO consents (subject, controller, purpose, categories, granted_at, expires_at, revoked_at, notice_hash, actor, granted_seq, revoked_seq, block_number)
       VALUES ($1, $2, $3, '5', 1, 0, 0, $4, $1, 1, 0, 1)`,
      [c, brand.address, purposeId("loyalty").toLowerCase(), keccak256(toHex("notice"))],
    );
  }
  const backing = new Map([[brand.address, { balance: 10n ** 30n, unitValue: 1n, blockNumber: 1n }]]);
  const perSecond: number[] = [];
  for (let r = 0; r < runs; r++) {
    const requests: PurchaseRequest[] = Array.from({ length: count }, (_, i) => ({
      brand,
      device,
      event: { eventId: `e-${crypto.randomUUID()}`, kind: "purchase", customer: { wallet: customers[i % customers.length]! }, receipt: `R-${crypto.randomUUID()}`, amount: "1.00" },
    }));
    const t0 = performance.now();
    if (process.env.ALONE === "1") {
      for (const q of requests) {
        const o = await db.transaction((tx) => handleDeviceEvent(tx, config, q.brand, q.device, q.event));
        if (o.status !== 202) throw new Error("a purchase was not accepted");
      }
    }
    for (let i = 0; process.env.ALONE !== "1" && i < count; i += size) {
      const results = await db.transaction((tx) => handlePurchaseBatch(tx, config, requests.slice(i, i + size), backing, { locks: pg }));
      if (results.some((x) => x.kind !== "done" || x.outcome.status !== 202)) throw new Error("a purchase was not accepted");
    }
    perSecond.push(count / ((performance.now() - t0) / 1000));
  }
  const f = figure(perSecond);
  console.log(`${pg ? "postgres" : "pglite"} purchases/s ${process.env.ALONE === "1" ? "one per transaction" : `in batches of ${size}`}:`, perSecond.map((x) => x.toFixed(0)).join(", "), "median", f.median.toFixed(0));
  await db.close();
  if (schema) await dropSchema(url, schema.schema);
  if (dir) await fs.rm(dir, { recursive: true, force: true });
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
