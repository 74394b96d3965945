import { Router } from "express";
import { formatEther } from "viem";
import { z } from "zod";
import type { HttpContext } from "./context";
import { defineRoute } from "./openapi";
import type { SignerBalance, SignerBalances } from "../chain/balances";

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
    signers: z.object({
      ok: z.boolean(),
      lowBalanceEther: z.string().optional(),
      balances: z.array(z.object({ address: z.string(), wei: z.string(), low: z.boolean() })).optional(),
      error: z.string().optional(),
    }),
    /** What an operator should act on although the relay serves: a signer low on gas money. */
    warnings: z.array(z.string()),
  })
  .meta({ id: "Health" });

type SignersHealth = { ok: boolean; lowBalanceEther?: string; balances?: SignerBalance[]; error?: string };

const firstLine = (err: unknown) => (err as Error).message.split("\n")[0]!;

/**
 * GET /healthz: 200 when the database and the RPC endpoint answer, 503 otherwise; indexer lag in blocks;
 * each signer's balance, with a warning for any below SIGNER_LOW_BALANCE_ETH (still 200: the relay serves).
 */
export function healthRouter(ctx: HttpContext, indexerStatus?: () => Promise<IndexerStatus>, balances?: SignerBalances): Router {
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
      const [database, rpc, indexer, signers] = await Promise.all([
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
        balances
          ? balances.read().then(
              (list): SignersHealth => ({ ok: list.every((b) => !b.low), lowBalanceEther: balances.lowEther, balances: list }),
              (err): SignersHealth => ({ ok: false, error: firstLine(err) }),
            )
          : Promise.resolve<SignersHealth>({ ok: false, error: "no signer keys: read-only" }),
      ]);
      const warnings = (signers.balances ?? [])
        .filter((b) => b.low)
        .map((b) => `signer ${b.address} holds ${formatEther(BigInt(b.wei))} ETH, below SIGNER_LOW_BALANCE_ETH ${balances!.lowEther}: fund it before it cannot pay for gas`);
      const ok = database.ok && rpc.ok;
      res.status(ok ? 200 : 503).json({ status: ok ? "ok" : "degraded", database, rpc, indexer, signers, warnings });
    },
  );
  return router;
}
