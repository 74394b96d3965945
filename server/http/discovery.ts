import { Router } from "express";
import { z } from "zod";
import { BaseError, ContractFunctionRevertedError, ContractFunctionZeroDataError, erc20Abi, getAddress, type Address, type PublicClient } from "viem";
import { categoryNames } from "../../client/categories";
import { labels, LANGUAGES, type PurposeText } from "../../client/labels";
import { purposeName } from "../../client/purposes";
import { ledgerDomain, pointsDomain, relayDomain } from "../../client/typedData";
import { allBrandPurposes } from "../brands/purposes";
import { purposeRewards } from "../loyalty/programme";
import { normaliseDecimal } from "../brands/registry";
import type { Env } from "../config";
import { chainCall } from "./chainCall";
import type { HttpContext } from "./context";
import { defineRoute } from "./openapi";

const domainSchema = z.object({ name: z.string(), version: z.string(), chainId: z.number(), verifyingContract: z.string().optional() });

export const relayConfigSchema = z
  .object({
    chainId: z.number(),
    rpcUrl: z.string().nullable().meta({ description: "JSON-RPC endpoint for apps' reads and for wallets adding the chain; null when the relay publishes none (PUBLIC_RPC_URL)" }),
    ledger: z.string().meta({ description: "ConsentLedger" }),
    points: z.string().meta({ description: "CoalitionPoints" }),
    deployBlock: z.number().meta({ description: "block of the contracts' deployment" }),
    unitValue: z.string().meta({ description: "settlement-asset units backing one point (decimal)" }),
    settlementAsset: z
      .object({ address: z.string(), symbol: z.string().nullable(), decimals: z.number().nullable() })
      .meta({ description: "the ERC-20 backing the points; symbol and decimals as the token reports them (null when it does not)" }),
    domains: z.object({ ledger: domainSchema, points: domainSchema, relay: domainSchema }).meta({ description: "the EIP-712 domains customers sign under" }),
  })
  .meta({ id: "RelayConfig" });

export type RelayConfig = z.infer<typeof relayConfigSchema>;

const textSchema = z.object({ title: z.string(), description: z.string() });

export const discoveredPurposeSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable().meta({ description: "null: defined on chain, not described at this relay, and not a known name" }),
    categories: z.string().meta({ description: "uint64 bitmap, decimal; 0 when the brand did not say" }),
    categoryNames: z.array(z.string()),
    texts: z.record(z.string(), textSchema).meta({ description: "title and description by language: the brand's, completed by Confiance's for a known name" }),
    notice: z.object({ hash: z.string(), uri: z.string(), version: z.number() }).nullable().meta({ description: "the current notice on chain; null: not yet defined on chain" }),
    maxValiditySeconds: z.number().nullable().meta({ description: "the longest a consent may last, in seconds, as the brand set it (grants beyond are refused: validity_too_long); null: no limit" }),
    reward: z.string().nullable().meta({ description: "points the brand pays once for granting this purpose (on chain); null: none" }),
  })
  .meta({ id: "DiscoveredPurpose" });

export const discoveredBrandSchema = z
  .object({
    address: z.string(),
    name: z.string(),
    earningRule: z.object({ pointsPerUnit: z.string() }),
    acceptsRedemptions: z.boolean(),
    purposes: z.array(discoveredPurposeSchema),
  })
  .meta({ id: "DiscoveredBrand" });

export type DiscoveredPurposeJson = z.output<typeof discoveredPurposeSchema>;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The RPC URL the relay tells apps to use: PUBLIC_RPC_URL when set; otherwise the relay's own endpoint
 * only when it is on loopback (a local chain), since a provider's URL often carries an API key.
 */
export function publicRpcUrl(config: Pick<Env, "PUBLIC_RPC_URL">, relayRpcUrl: string): string | null {
  if (config.PUBLIC_RPC_URL) return config.PUBLIC_RPC_URL;
  return LOOPBACK.has(new URL(relayRpcUrl).hostname) ? relayRpcUrl : null;
}

/**
 * Discovery for apps, public and without a key: `GET /v1/config` (the chain, the contracts, the EIP-712
 * domains, the points' backing) and `GET /v1/brands` (the brands this relay serves, with their purposes).
 */
export function discoveryRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  const { chain, config } = deps;
  const d = chain.deployment;
  const [ledger, points] = [getAddress(d.ledger), getAddress(d.points)];
  const fixed = {
    chainId: chain.chainId,
    rpcUrl: publicRpcUrl(config, chain.rpcUrl),
    ledger,
    points,
    deployBlock: d.deployBlock,
    unitValue: d.unitValue,
  };
  const domains = { ledger: ledgerDomain(chain.chainId, ledger), points: pointsDomain(chain.chainId, points), relay: relayDomain(chain.chainId, { ledger, points }) };

  let settlement: Promise<RelayConfig["settlementAsset"]> | undefined;
  const settlementAsset = () => {
    settlement ??= readToken(chain.client, getAddress(d.settlement)).catch((err: unknown) => {
      settlement = undefined;
      throw err;
    });
    return settlement;
  };

  defineRoute(
    router,
    docs,
    "/v1",
    { method: "get", path: "/config", tags: ["discovery"], summary: "The chain, the contracts, the EIP-712 domains apps sign in, and the points' backing", responses: { 200: { description: "the relay's public configuration", schema: relayConfigSchema } } },
    async (_req, res) => {
      const body: RelayConfig = { ...fixed, settlementAsset: await chainCall("the settlement asset", settlementAsset), domains };
      res.setHeader("Cache-Control", "no-cache");
      res.json(body);
    },
  );

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "get",
      path: "/brands",
      tags: ["discovery"],
      summary: "The brands this relay serves: name, earning rule, whether they accept redemptions, and their purposes with names, data categories, texts and current notice",
      responses: { 200: { description: "brands", schema: z.object({ brands: z.array(discoveredBrandSchema) }) } },
    },
    async (_req, res) => {
      res.setHeader("Cache-Control", "no-cache");
      const db = deps.db;
      const brands = await db.query<{ address: string; name: string; points_per_unit: string; accepts: boolean | null }>(
        `SELECT b.address, b.name, b.points_per_unit::text AS points_per_unit, pb.status = 'admitted' AND pb.accepts_redemptions AS accepts
           FROM relay_brands b LEFT JOIN points_brands pb ON pb.brand = b.address ORDER BY b.created_at, b.address`,
      );
      const described = await allBrandPurposes(db);
      const rewards = await purposeRewards(db);
      const notices = await db.query<{ controller: string; purpose: string; notice_hash: string; notice_uri: string; version: number }>(
        "SELECT controller, purpose, notice_hash, notice_uri, version FROM purposes WHERE controller = ANY($1::text[])",
        [brands.rows.map((b) => b.address)],
      );
      res.json({
        brands: brands.rows.map((b) => {
          const onChain = notices.rows.filter((n) => n.controller === b.address);
          const mine = described.get(b.address) ?? [];
          const ids = [...new Set([...mine.map((p) => p.id as string), ...onChain.map((n) => n.purpose)])];
          const purposes = ids.map((id): DiscoveredPurposeJson => {
            const d = mine.find((p) => p.id === id);
            const n = onChain.find((x) => x.purpose === id);
            const name = d?.name ?? purposeName({ id }) ?? null;
            const categories = d?.categories ?? "0";
            return {
              id,
              name,
              categories,
              categoryNames: categoryNames(BigInt(categories)),
              texts: textsOf(name, d?.texts),
              notice: n ? { hash: n.notice_hash, uri: n.notice_uri, version: n.version } : null,
              maxValiditySeconds: d?.maxValiditySeconds ?? null,
              reward: rewards.get(b.address)?.get(id)?.toString() ?? null,
            };
          });
          purposes.sort((x, y) => (x.name === null) !== (y.name === null) ? (x.name === null ? 1 : -1) : (x.name ?? x.id).localeCompare(y.name ?? y.id));
          return {
            address: b.address,
            name: b.name,
            earningRule: { pointsPerUnit: normaliseDecimal(b.points_per_unit) },
            // As CoalitionPoints' acceptsRedemptions(brand): admitted, not suspended, and not refusing them (indexed).
            acceptsRedemptions: b.accepts === true,
            purposes,
          };
        }),
      });
    },
  );

  return router;
}

/** The brand's texts by language, completed with Confiance's own for a known purpose name. */
function textsOf(name: string | null, own: Record<string, PurposeText> | undefined): Record<string, PurposeText> {
  const out: Record<string, PurposeText> = {};
  if (name) for (const lang of LANGUAGES) if (labels[lang].purposes[name]) out[lang] = labels[lang].purposes[name]!;
  return { ...out, ...own };
}

/** The settlement token's address, symbol and decimals; null for a function the token does not have (a revert). */
async function readToken(client: PublicClient, token: Address): Promise<RelayConfig["settlementAsset"]> {
  const optional = <T>(p: Promise<T>) =>
    p.catch((err: unknown) => {
      const reverted = err instanceof BaseError && err.walk((e) => e instanceof ContractFunctionRevertedError || e instanceof ContractFunctionZeroDataError);
      if (reverted) return null;
      throw err;
    });
  const [symbol, decimals] = await Promise.all([
    optional(client.readContract({ address: token, abi: erc20Abi, functionName: "symbol" })),
    optional(client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" })),
  ]);
  return { address: token, symbol, decimals };
}

