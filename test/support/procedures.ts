import { isMainThread, threadId } from "node:worker_threads";
import { procedure } from "../../server/store/db";

/** Procedures for test/store-pglite-worker.test.ts: where they ran, and what crossed. */
export const whereAndEcho = procedure(__filename, "whereAndEcho", async (db, args: { values: unknown[]; sql: string }) => {
  const { rows } = await db.transaction((tx) => tx.query<{ v: unknown }>(args.sql, args.values));
  return { isMainThread, threadId, rows, echo: args.values };
});

export const failing = procedure(__filename, "failing", async (db, _args: null) => {
  await db.transaction((tx) => tx.query("INSERT INTO meta (key, value) VALUES (NULL, 'x')"));
  return "unreachable";
});

/** Not exported under the name it gives: the worker cannot find it. */
export const misnamed = procedure(__filename, "noSuchExport", async () => "unreachable");
