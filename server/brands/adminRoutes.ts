import { Router } from "express";
import { z } from "zod";
import type { HttpContext } from "../http/context";
import { adminAuth } from "../http/auth";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { addressSchema, lower, rateSchema } from "../http/schemas";
import { createBrand, getBrand, listBrands, publicBrand, rotateApiKey, setBrandDisabled } from "./registry";
import { brandSchema, nameSchema, purposeInputSchema, toNewPurpose } from "./brandRoutes";
import { setBrandPurpose } from "./purposes";

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

const withKey = z.object({ brand: brandSchema, apiKey: z.string().meta({ description: "shown once; the relay keeps only its hash" }) }).meta({ id: "BrandWithKey" });

/** The admin API (Authorization: Bearer RELAY_ADMIN_TOKEN): registers brands and issues their API keys. */
export function adminRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  router.use(adminAuth(deps.config));

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
      const { brand, apiKey } = await deps.db.transaction(async (tx) => {
        const created = await createBrand(tx, { address: lower(b.address), name: b.name, pointsPerUnit: b.pointsPerUnit, operator });
        for (const p of purposes) await setBrandPurpose(tx, created.brand.address, p);
        return created;
      });
      req.log?.info({ brand: brand.address }, "brand registered");
      res.status(201).json({ brand: publicBrand(brand), apiKey });
    },
  );

  defineRoute(router, docs, "/v1/admin", { method: "get", path: "/brands", tags: ["admin"], summary: "Every registered brand", security: "adminToken", responses: { 200: { description: "brands", schema: z.object({ brands: z.array(brandSchema) }) } } }, async (_req, res) => {
    res.json({ brands: (await listBrands(deps.db)).map(publicBrand) });
  });

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

  return router;
}
