import { Router } from "express";
import { z } from "zod";
import type { HttpContext } from "./context";
import { defineRoute } from "./openapi";

export interface IndexerStatus {
  indexedBlock: number;
  headBlock: number;
  lag: number;
}

export const healthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    database: z.object({ ok: z.boolean(), kind: z.string(), error: z.string().optional() }),
    rpc: z.object({ ok: z.boolean(), chainId: z.number(), blockNumber: z.number().optional(), error: z.string().optional() }),
    indexer: z.object({ ok: z.boolean(), indexedBlock: z.number().optional(), headBlock: z.number().optional(), lag: z.number().optional(), error: z.string().optional() }),
  })
  .meta({ id: "Health" });

const firstLine = (err: unknown) => (err as Error).message.split("\n")[0]!;

/** GET /healthz: 200 when the database and the RPC endpoint answer, 503 otherwise; indexer lag in blocks. */
export function healthRouter(ctx: HttpContext, indexerStatus?: () => Promise<IndexerStatus>): Router {
  const router = Router();
  const { deps, docs } = ctx;
  defineRoute(
    router,
    docs,
    "",
    {
      method: "get",
      path: "/healthz",
      tags: ["operations"],
      summary: "Database and RPC reachability, indexer lag",
      responses: { 200: { description: "healthy", schema: healthSchema }, 503: { description: "the database or the RPC endpoint is unreachable", schema: healthSchema } },
    },
    async (_req, res) => {
      const [database, rpc, indexer] = await Promise.all([
        deps.db.query("SELECT 1").then(
          () => ({ ok: true, kind: deps.db.kind }),
          (err) => ({ ok: false, kind: deps.db.kind, error: firstLine(err) }),
        ),
        deps.chain.client.getBlockNumber({ cacheTime: 0 }).then(
          (n) => ({ ok: true, chainId: deps.chain.chainId, blockNumber: Number(n) }),
          (err) => ({ ok: false, chainId: deps.chain.chainId, error: firstLine(err) }),
        ),
        indexerStatus
          ? indexerStatus().then(
              (s) => ({ ok: true, ...s }),
              (err) => ({ ok: false, error: firstLine(err) }),
            )
          : Promise.resolve({ ok: false, error: "indexer not running" }),
      ]);
      const ok = database.ok && rpc.ok;
      res.status(ok ? 200 : 503).json({ status: ok ? "ok" : "degraded", database, rpc, indexer });
    },
  );
  return router;
}
