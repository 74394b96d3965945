import { Router } from "express";
import { z } from "zod";
import { ledgerDomain, pointsDomain, relayDomain } from "../../client/typedData";
import type { Env } from "../config";
import type { HttpContext } from "./context";
import { defineRoute } from "./openapi";

const domainSchema = z.object({ name: z.string(), version: z.string(), chainId: z.number(), verifyingContract: z.string().optional() });

export const relayConfigSchema = z
  .object({
    chainId: z.number(),
    rpcUrl: z.string().nullable().meta({ description: "JSON-RPC endpoint for apps' reads and for wallets adding the chain; null when the relay publishes none (PUBLIC_RPC_URL)" }),
    ledger: z.string(),
    points: z.string(),
    settlementAsset: z.string(),
    unitValue: z.string().meta({ description: "settlement-asset units backing one point" }),
    deployBlock: z.number(),
    domains: z.object({ ledger: domainSchema, points: domainSchema, relay: domainSchema }),
  })
  .meta({ id: "RelayConfig" });

export type RelayConfig = z.infer<typeof relayConfigSchema>;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The RPC URL the relay tells apps to use: PUBLIC_RPC_URL when set; otherwise the relay's own endpoint
 * only when it is on loopback (a local chain), since a provider's URL often carries an API key.
 */
export function publicRpcUrl(config: Pick<Env, "PUBLIC_RPC_URL">, relayRpcUrl: string): string | null {
  if (config.PUBLIC_RPC_URL) return config.PUBLIC_RPC_URL;
  return LOOPBACK.has(new URL(relayRpcUrl).hostname) ? relayRpcUrl : null;
}

/** Discovery for apps, public and without a key: GET /v1/config (chain, contracts, EIP-712 domains). */
export function discoveryRouter(ctx: HttpContext): Router {
  const router = Router();
  const { chain, config } = ctx.deps;
  const d = chain.deployment;
  const body: RelayConfig = {
    chainId: chain.chainId,
    rpcUrl: publicRpcUrl(config, chain.rpcUrl),
    ledger: d.ledger,
    points: d.points,
    settlementAsset: d.settlement,
    unitValue: d.unitValue,
    deployBlock: d.deployBlock,
    domains: { ledger: ledgerDomain(chain.chainId, d.ledger), points: pointsDomain(chain.chainId, d.points), relay: relayDomain(chain.chainId) },
  };
  defineRoute(
    router,
    ctx.docs,
    "/v1",
    { method: "get", path: "/config", tags: ["discovery"], summary: "The chain, the contracts and the EIP-712 domains apps sign in", responses: { 200: { description: "the relay's public configuration", schema: relayConfigSchema } } },
    (_req, res) => {
      res.setHeader("Cache-Control", "no-cache");
      res.json(body);
    },
  );
  return router;
}
