import { Router } from "express";
import { z } from "zod";
import type { HttpContext } from "../http/context";
import { adminAuth } from "../http/auth";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { addressSchema, currencyAmountSchema, lower, rateSchema } from "../http/schemas";
import { createBrand, getBrand, listBrands, publicBrand, removeBrand, rotateApiKey, setBrandDisabled, updateBrand, type Brand } from "./registry";
import { brandSchema, nameSchema, purposeInputSchema, toNewPurpose } from "./brandRoutes";
import { listBrandPurposes, setBrandPurpose } from "./purposes";
import { readBrandReadiness, type BrandReadiness } from "./readiness";
import { readCursor } from "../indexer/store";
import { zeroHash, type Hex } from "viem";

export const newBrandSchema = z
  .object({
    address: addressSchema.meta({ description: "the brand's address: controller on ConsentLedger, brand on CoalitionPoints" }),
    name: nameSchema,
    pointsPerUnit: rateSchema,
    operator: addressSchema.meta({ description: "the relay signer address that sends this brand's issue and reverse calls (the brand must setOperator it on chain)" }),
    purposes: z.array(purposeInputSchema).max(32).optional().meta({ description: "the purposes it asks consent for, as discovery describes them (also settable later with the brand API)" }),
  })
  .strict()
  .meta({ id: "NewBrand" });

const problemSchema = z.object({ code: z.string(), message: z.string() });
export const readinessSchema = z
  .object({
    block: z.string(),
    status: z.enum(["none", "admitted", "suspended"]),
    operator: z.object({ address: z.string(), accepted: z.boolean(), proposed: z.boolean(), actsFor: z.string().nullable() }),
    backing: z.string().meta({ description: "brandBalance, settlement-asset units" }),
    purposesOnChain: z.array(z.string()),
    ready: z.boolean(),
    problems: z.array(problemSchema).meta({ description: "what stops the brand from working at this relay" }),
    warnings: z.array(problemSchema),
  })
  .meta({ id: "BrandReadiness" });
const brandWithChain = brandSchema
  .extend({ chain: readinessSchema.nullable(), chainError: z.string().optional().meta({ description: "why the chain could not be read" }) })
  .meta({ id: "BrandWithReadiness" });
const withKey = z.object({ brand: brandSchema, apiKey: z.string().meta({ description: "shown once; the relay keeps only its hash" }), chain: readinessSchema.optional() }).meta({ id: "BrandWithKey" });
const removalSchema = z
  .object({
    removed: z.literal(true),
    stores: z.number(),
    devices: z.number(),
    purposes: z.number(),
    webhookEndpoints: z.number(),
    personalData: z.number(),
    operationsInFlight: z.number().meta({ description: "issue/reverse operations still on their way: they are sent" }),
  })
  .meta({ id: "BrandRemoval" });

function logChainFailure(deps: HttpContext["deps"], err: unknown): void {
  deps.logger.warn({ err: { name: (err as Error)?.name, message: (err as Error)?.message?.split("\n")[0] } }, "brand readiness: chain read failed");
}

/** The admin API (Authorization: Bearer RELAY_ADMIN_TOKEN): registers brands and issues their API keys. */
export function adminRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  router.use(adminAuth(deps.config));

  /** The purposes the index holds for `brand` and the block it has read through (the logs after it are read from the chain). */
  async function indexedPurposes(brand: string) {
    const cursor = await readCursor(deps.db);
    if (!cursor) return undefined;
    const { rows } = await deps.db.query<{ purpose: string }>("SELECT purpose FROM purposes WHERE controller = $1 AND notice_hash <> $2", [brand.toLowerCase(), zeroHash]);
    return { purposes: rows.map((r) => r.purpose as Hex), throughBlock: BigInt(cursor.blockNumber) };
  }
  async function readiness(brand: Brand): Promise<BrandReadiness> {
    const described = await listBrandPurposes(deps.db, brand.address);
    return readBrandReadiness({ client: deps.chain.client, deployment: deps.chain.deployment, brand: brand.address, operator: brand.operator, describedPurposes: described, indexed: await indexedPurposes(brand.address) });
  }
  async function withReadiness(brand: Brand) {
    try {
      return { ...publicBrand(brand), chain: await readiness(brand) };
    } catch (err) {
      logChainFailure(deps, err);
      return { ...publicBrand(brand), chain: null, chainError: "the chain could not be read" };
    }
  }

  defineRoute(
    router,
    docs,
    "/v1/admin",
    { method: "post", path: "/brands", tags: ["admin"], summary: "Register a brand; answers its API key once", security: "adminToken", body: newBrandSchema, responses: { 201: { description: "registered", schema: withKey } } },
    async (req, res) => {
      const b = parseOr400(newBrandSchema, req.body);
      const operator = lower(b.operator);
      if (ctx.signerAddresses && !ctx.signerAddresses.includes(operator)) {
        throw new HttpError(422, "unknown_operator", "operator is not one of the relay's signer keys");
      }
      const purposes = (b.purposes ?? []).map(toNewPurpose);
      const address = lower(b.address);
      if (await getBrand(deps.db, address)) throw new HttpError(409, "brand_exists", `brand ${address} is already registered`);
      const chain = await readBrandReadiness({ client: deps.chain.client, deployment: deps.chain.deployment, brand: address, operator, describedPurposes: purposes, indexed: await indexedPurposes(address) }).catch((err: unknown) => {
        logChainFailure(deps, err);
        throw new HttpError(503, "chain_unavailable", "the chain could not be read to check the brand: retry");
      });
      const refusal = chain.problems[0];
      if (refusal) {
        throw new HttpError(422, refusal.code, chain.problems.map((p) => p.message).join("; "));
      }
      const { brand, apiKey } = await deps.db.transaction(async (tx) => {
        const created = await createBrand(tx, { address: lower(b.address), name: b.name, pointsPerUnit: b.pointsPerUnit, operator });
        for (const p of purposes) await setBrandPurpose(tx, created.brand.address, p);
        return created;
      });
      req.log?.info({ brand: brand.address }, "brand registered");
      res.status(201).json({ brand: publicBrand(brand), apiKey, chain });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/admin",
    { method: "get", path: "/brands", tags: ["admin"], summary: "Every registered brand with its on-chain readiness", security: "adminToken", responses: { 200: { description: "brands", schema: z.object({ brands: z.array(brandWithChain) }) } } },
    async (_req, res) => {
      const brands = await listBrands(deps.db);
      const out = [];
      for (const b of brands) out.push(await withReadiness(b));
      res.json({ brands: out });
    },
  );

  const addressParams = z.object({ address: z.string() });
  defineRoute(
    router,
    docs,
    "/v1/admin",
    { method: "get", path: "/brands/:address", tags: ["admin"], summary: "One brand with its on-chain readiness", security: "adminToken", params: addressParams, responses: { 200: { description: "the brand", schema: brandWithChain } } },
    async (req, res) => {
      const address = lower(parseOr400(addressSchema, req.params.address));
      const brand = await getBrand(deps.db, address);
      if (!brand) throw new HttpError(404, "brand_not_found", `no brand ${address}`);
      res.json(await withReadiness(brand));
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/admin",
    {
      method: "delete",
      path: "/brands/:address",
      tags: ["admin"],
      summary: "Remove a brand from this relay: its key, stores, devices, purpose descriptions, webhooks and personal data (its chain records stay; accepted operations are still sent)",
      security: "adminToken",
      params: addressParams,
      responses: { 200: { description: "what was removed", schema: removalSchema } },
    },
    async (req, res) => {
      const address = lower(parseOr400(addressSchema, req.params.address));
      const removed = await deps.db.transaction((tx) => removeBrand(tx, address));
      if (!removed) throw new HttpError(404, "brand_not_found", `no brand ${address}`);
      req.log?.info({ brand: address, ...removed }, "brand removed");
      res.json({ removed: true, ...removed });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/admin",
    { method: "post", path: "/brands/:address/api-key", tags: ["admin"], summary: "Issue a new API key for a brand (the old one stops working)", security: "adminToken", params: z.object({ address: z.string() }), responses: { 201: { description: "the new key", schema: withKey } } },
    async (req, res) => {
      const address = lower(parseOr400(addressSchema, req.params.address));
      const apiKey = await rotateApiKey(deps.db, address);
      const brand = apiKey ? await getBrand(deps.db, address) : undefined;
      if (!apiKey || !brand) throw new HttpError(404, "brand_not_found", `no brand ${address}`);
      // The old key's staff streams end on every instance (a leaked key keeps nothing open).
      await ctx.bus.control({ endStreamsOf: address });
      res.status(201).json({ brand: publicBrand(brand), apiKey });
    },
  );

  const brandStateSchema = z.object({ disabled: z.boolean() }).strict().meta({ id: "BrandState" });
  defineRoute(
    router,
    docs,
    "/v1/admin",
    {
      method: "post",
      path: "/brands/:address/state",
      tags: ["admin"],
      summary: "Disable or re-enable a brand: a disabled brand's API key and devices are refused and its staff streams end",
      security: "adminToken",
      params: z.object({ address: z.string() }),
      body: brandStateSchema,
      responses: { 200: { description: "the brand and its state", schema: brandSchema.extend({ disabled: z.boolean() }) } },
    },
    async (req, res) => {
      const address = lower(parseOr400(addressSchema, req.params.address));
      const b = parseOr400(brandStateSchema, req.body);
      const brand = await setBrandDisabled(deps.db, address, b.disabled);
      if (!brand) throw new HttpError(404, "brand_not_found", `no brand ${address}`);
      if (b.disabled) await ctx.bus.control({ endStreamsOf: address });
      req.log?.info({ brand: address, disabled: b.disabled }, "brand state");
      res.json({ ...publicBrand(brand), disabled: brand.disabled });
    },
  );

  const brandLimitsSchema = z
    .object({
      maxPurchaseAmount: currencyAmountSchema
        .nullable()
        .meta({ description: "the largest amount (currency units) one purchase event of this brand may carry; null: the relay's PURCHASE_MAX_AMOUNT" }),
    })
    .strict()
    .meta({ id: "BrandLimits" });

  defineRoute(
    router,
    docs,
    "/v1/admin",
    {
      method: "post",
      path: "/brands/:address/limits",
      tags: ["admin"],
      summary: "Set a brand's own limits: the largest purchase amount its devices may send (at most PURCHASE_MAX_AMOUNT; null goes back to it)",
      security: "adminToken",
      params: z.object({ address: z.string() }),
      body: brandLimitsSchema,
      responses: { 200: { description: "the brand", schema: brandSchema } },
    },
    async (req, res) => {
      const address = lower(parseOr400(addressSchema, req.params.address));
      const b = parseOr400(brandLimitsSchema, req.body);
      if (b.maxPurchaseAmount !== null && Number(b.maxPurchaseAmount) > deps.config.PURCHASE_MAX_AMOUNT) {
        throw new HttpError(400, "invalid_max_purchase_amount", `a brand's maximum purchase amount is at most the relay's PURCHASE_MAX_AMOUNT (${deps.config.PURCHASE_MAX_AMOUNT})`);
      }
      const brand = await updateBrand(deps.db, address, { maxPurchaseAmount: b.maxPurchaseAmount });
      if (!brand) throw new HttpError(404, "brand_not_found", `no brand ${address}`);
      req.log?.info({ brand: address, maxPurchaseAmount: brand.maxPurchaseAmount }, "brand limits");
      res.json(publicBrand(brand));
    },
  );

  return router;
}
