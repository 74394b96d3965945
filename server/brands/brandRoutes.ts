import { Router } from "express";
import { z } from "zod";
import type { Address } from "viem";
import type { HttpContext } from "../http/context";
import { locals } from "../http/context";
import { brandAuth } from "../http/auth";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { addressSchema, bytes32Schema, idSchema, lower, lowerHex, rateSchema } from "../http/schemas";
import {
  createDevice,
  createStore,
  getStore,
  listDevices,
  listStores,
  publicBrand,
  removeDevice,
  removeStore,
  rotateDeviceKey,
  setDeviceDisabled,
  updateBrand,
} from "./registry";
import { DeviceKeyError, normalisePublicKey } from "../devices/signing";
import { categoryBitmap } from "../../client/categories";
import { purposeId, PURPOSES } from "../../client/purposes";
import { listBrandPurposes, removeBrandPurpose, setBrandPurpose, type NewBrandPurpose } from "./purposes";
import { staffStream } from "../devices/stream";
import { addMoneyRoutes } from "./moneyRoutes";
import { isConsentGranted } from "../consent/gate";
import { shoppingListItemSchema } from "../personal/routes";
import { shoppingListOf } from "../personal/shoppingList";

export const brandSchema = z
  .object({
    address: z.string(),
    name: z.string(),
    pointsPerUnit: z.string(),
    operator: z.string(),
    maxPurchaseAmount: z.string().nullable().meta({ description: "the brand's bound on one purchase's amount; null: the relay's PURCHASE_MAX_AMOUNT" }),
    createdAt: z.string(),
  })
  .meta({ id: "Brand" });
export const storeSchema = z.object({ id: z.string(), brand: z.string(), name: z.string(), createdAt: z.string() }).meta({ id: "Store" });
export const deviceSchema = z
  .object({ id: z.string(), brand: z.string(), storeId: z.string(), name: z.string(), publicKey: z.string(), disabled: z.boolean(), createdAt: z.string() })
  .meta({ id: "Device" });

/** A display name: 1-200 characters, none of them a control character (NUL, line breaks, escapes). */
export const nameSchema = z
  .string()
  .refine((v) => v.trim().length >= 1 && v.length <= 200 && !/\p{Cc}/u.test(v), { message: "expected 1-200 characters, no control characters", params: { code: "invalid_name" } });

export const newStoreSchema = z.object({ id: idSchema("invalid_store_id"), name: nameSchema }).strict().meta({ id: "NewStore" });
export const newDeviceSchema = z
  .object({
    id: idSchema("invalid_device_id"),
    name: nameSchema,
    publicKey: z.string().meta({ description: "Ed25519 public key: base64url of its 32 bytes, 0x hex, or SPKI PEM" }),
  })
  .strict()
  .meta({ id: "NewDevice" });
export const earningRuleSchema = z.object({ pointsPerUnit: rateSchema }).strict().meta({ id: "EarningRule" });
export const deviceKeySchema = z
  .object({ publicKey: z.string().meta({ description: "the device's new Ed25519 public key: base64url of its 32 bytes, 0x hex, or SPKI PEM" }) })
  .strict()
  .meta({ id: "DeviceKey" });
export const deviceStateSchema = z.object({ disabled: z.boolean() }).strict().meta({ id: "DeviceState" });

const purposeNameSchema = z
  .string()
  .refine((v) => /^[a-z0-9][a-z0-9._-]{0,63}$/.test(v), { message: "expected 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit", params: { code: "invalid_purpose_name" } })
  .meta({ description: "the purpose's short name; its id is keccak256 of it unless `id` says otherwise", example: "loyalty" });

const MAX_UINT64 = (1n << 64n) - 1n;

/** Categories as a list of names (docs/consent.md) or a uint64 bitmap; undefined when invalid or empty. */
function categoriesOf(v: unknown): bigint | undefined {
  try {
    const bitmap = Array.isArray(v) ? categoryBitmap(v as string[]) : BigInt(/^(0|[1-9]\d{0,19})$/.test(String(v)) ? String(v) : "x");
    return bitmap > 0n && bitmap <= MAX_UINT64 ? bitmap : undefined;
  } catch {
    return undefined;
  }
}

const textSchema = z.object({ title: z.string(), description: z.string() }).strict();
export const purposeTextsSchema = z
  .record(z.string(), textSchema)
  .refine(
    (t) =>
      Object.keys(t).length <= 16 &&
      Object.entries(t).every(([lang, x]) => /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(lang) && x.title.trim().length >= 1 && x.title.length <= 120 && x.description.trim().length >= 1 && x.description.length <= 2000),
    { message: "expected up to 16 languages (\"en\", \"fr\", \"fr-CA\"...), each { title: 1-120 characters, description: 1-2000 characters }", params: { code: "invalid_texts" } },
  )
  .meta({ description: "title and description by language", example: { en: { title: "Loyalty points", description: "Your purchases earn points." } } });

export const purposeInputSchema = z
  .object({
    name: purposeNameSchema,
    id: bytes32Schema.refine((v) => !/^0x0{64}$/i.test(v), { message: "the zero purpose is not a purpose", params: { code: "invalid_bytes32" } }).optional(),
    categories: z
      .union([z.array(z.string()).max(64), z.string(), z.number()])
      .refine((v) => categoriesOf(v) !== undefined, {
        message: "expected data-category names (identity, contact, purchase-history, location, device-identifiers, preferences, payment, demographics, loyalty-account, bit-N) or a non-zero uint64 bitmap",
        params: { code: "invalid_categories" },
      })
      .meta({ description: "the data categories the purpose covers: names, or the uint64 bitmap as a decimal string", example: ["identity", "purchase-history"] }),
    texts: purposeTextsSchema.optional(),
  })
  .strict()
  .meta({ id: "PurposeInput" });

export const brandPurposeSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    categories: z.string().meta({ description: "uint64 bitmap, decimal" }),
    categoryNames: z.array(z.string()),
    texts: z.record(z.string(), textSchema),
    maxValiditySeconds: z.number().nullable().meta({ description: "the longest a consent to it may last, in seconds; null: no limit" }),
    updatedAt: z.string(),
  })
  .meta({ id: "BrandPurpose" });

/** A validated purpose description, ready for the registry. */
export function toNewPurpose(p: z.output<typeof purposeInputSchema>): NewBrandPurpose {
  return { name: p.name, id: p.id ? lowerHex(p.id) : purposeId(p.name), categories: categoriesOf(p.categories)!, texts: p.texts ?? {} };
}

/** A device key as the registry keeps it; `invalid_public_key` otherwise. */
function devicePublicKey(input: string): string {
  try {
    return normalisePublicKey(input);
  } catch (err) {
    if (err instanceof DeviceKeyError) throw new HttpError(400, "invalid_public_key", err.message);
    throw err;
  }
}

const storeParams = z.object({ storeId: z.string() });
const deviceParams = z.object({ deviceId: z.string() });

/** The brand API (Authorization: Bearer <brand API key>): its earning rule, stores, devices, staff stream. */
export function brandRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  const db = deps.db;
  router.use(brandAuth(db));
  const brandOf = (res: Parameters<typeof locals>[0]) => locals(res).brand!;

  async function ownStore(brand: Address, storeId: string) {
    // Store ids are scoped per brand: another brand's store of this id is not found, exactly as a missing one.
    const store = await getStore(db, brand, storeId);
    if (!store) throw new HttpError(404, "store_not_found", `no store ${storeId} of this brand`);
    return store;
  }

  addMoneyRoutes(router, ctx, brandOf);

  defineRoute(router, docs, "/v1/brand", { method: "get", path: "/", tags: ["brands"], summary: "The calling brand", security: "brandApiKey", responses: { 200: { description: "the brand", schema: brandSchema } } }, (_req, res) => {
    res.json(publicBrand(brandOf(res)));
  });

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "post", path: "/earning-rule", tags: ["brands"], summary: "Set the earning rule (points per currency unit)", security: "brandApiKey", body: earningRuleSchema, responses: { 200: { description: "the brand", schema: brandSchema } } },
    async (req, res) => {
      const b = parseOr400(earningRuleSchema, req.body);
      const brand = await updateBrand(db, brandOf(res).address, { pointsPerUnit: b.pointsPerUnit });
      res.json(publicBrand(brand!));
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "get", path: "/purposes", tags: ["brands"], summary: "The purposes the brand describes to customers (discovery)", security: "brandApiKey", responses: { 200: { description: "purposes", schema: z.object({ purposes: z.array(brandPurposeSchema) }) } } },
    async (_req, res) => {
      res.json({ purposes: await listBrandPurposes(db, brandOf(res).address) });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    {
      method: "post",
      path: "/purposes",
      tags: ["brands"],
      summary: "Describe a purpose to customers: its name, data categories, title and description per language (creates or replaces)",
      security: "brandApiKey",
      body: purposeInputSchema,
      responses: { 200: { description: "the purpose", schema: brandPurposeSchema } },
    },
    async (req, res) => {
      const p = toNewPurpose(parseOr400(purposeInputSchema, req.body));
      res.json(await setBrandPurpose(db, brandOf(res).address, p));
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    {
      method: "delete",
      path: "/purposes/:name",
      tags: ["brands"],
      summary: "Stop describing a purpose (its consents and notices on chain are untouched)",
      security: "brandApiKey",
      params: z.object({ name: z.string() }),
      responses: { 200: { description: "removed", schema: z.object({ removed: z.literal(true) }) } },
    },
    async (req, res) => {
      const name = String(req.params.name);
      if (!(await removeBrandPurpose(db, brandOf(res).address, name))) throw new HttpError(404, "purpose_not_found", `no purpose named ${name} for this brand`);
      res.json({ removed: true });
    },
  );

  defineRoute(router, docs, "/v1/brand", { method: "get", path: "/stores", tags: ["brands"], summary: "The brand's stores", security: "brandApiKey", responses: { 200: { description: "stores", schema: z.object({ stores: z.array(storeSchema) }) } } }, async (_req, res) => {
    res.json({ stores: await listStores(db, brandOf(res).address) });
  });

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "post", path: "/stores", tags: ["brands"], summary: "Register a store", security: "brandApiKey", body: newStoreSchema, responses: { 201: { description: "the store", schema: storeSchema } } },
    async (req, res) => {
      const b = parseOr400(newStoreSchema, req.body);
      res.status(201).json(await createStore(db, { id: b.id, brand: brandOf(res).address, name: b.name }));
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "get", path: "/stores/:storeId/devices", tags: ["brands"], summary: "A store's devices", security: "brandApiKey", params: storeParams, responses: { 200: { description: "devices", schema: z.object({ devices: z.array(deviceSchema) }) } } },
    async (req, res) => {
      const store = await ownStore(brandOf(res).address, String(req.params.storeId));
      res.json({ devices: await listDevices(db, brandOf(res).address, store.id) });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "post", path: "/stores/:storeId/devices", tags: ["brands"], summary: "Register a device of a store with its Ed25519 public key", security: "brandApiKey", params: storeParams, body: newDeviceSchema, responses: { 201: { description: "the device", schema: deviceSchema } } },
    async (req, res) => {
      const b = parseOr400(newDeviceSchema, req.body);
      const publicKey = devicePublicKey(b.publicKey);
      const store = await ownStore(brandOf(res).address, String(req.params.storeId));
      res.status(201).json(await createDevice(db, { id: b.id, brand: brandOf(res).address, storeId: store.id, name: b.name, publicKey }));
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "post", path: "/devices/:deviceId/state", tags: ["brands"], summary: "Disable or re-enable a device", security: "brandApiKey", params: deviceParams, body: deviceStateSchema, responses: { 200: { description: "the device", schema: deviceSchema } } },
    async (req, res) => {
      const b = parseOr400(deviceStateSchema, req.body);
      const device = await setDeviceDisabled(db, brandOf(res).address, String(req.params.deviceId), b.disabled);
      if (!device) throw new HttpError(404, "device_not_found", `no device ${String(req.params.deviceId)} of this brand`);
      res.json(device);
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "post", path: "/devices/:deviceId/key", tags: ["brands"], summary: "Rotate a device's key: the new public key replaces the old one at once", security: "brandApiKey", params: deviceParams, body: deviceKeySchema, responses: { 200: { description: "the device", schema: deviceSchema } } },
    async (req, res) => {
      const b = parseOr400(deviceKeySchema, req.body);
      const publicKey = devicePublicKey(b.publicKey);
      const device = await rotateDeviceKey(db, brandOf(res).address, String(req.params.deviceId), publicKey);
      if (!device) throw new HttpError(404, "device_not_found", `no device ${String(req.params.deviceId)} of this brand`);
      res.json(device);
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "delete", path: "/devices/:deviceId", tags: ["brands"], summary: "Remove a device (its key stops working at once)", security: "brandApiKey", params: deviceParams, responses: { 200: { description: "removed", schema: z.object({ removed: z.literal(true) }) } } },
    async (req, res) => {
      if (!(await removeDevice(db, brandOf(res).address, String(req.params.deviceId)))) throw new HttpError(404, "device_not_found", `no device ${String(req.params.deviceId)} of this brand`);
      res.json({ removed: true });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    {
      method: "delete",
      path: "/stores/:storeId",
      tags: ["brands"],
      summary: "Remove a store and its devices (visits and scans recorded there stay with the brand)",
      security: "brandApiKey",
      params: storeParams,
      responses: { 200: { description: "removed", schema: z.object({ removed: z.literal(true), devices: z.number() }) } },
    },
    async (req, res) => {
      const removed = await db.transaction((tx) => removeStore(tx, brandOf(res).address, String(req.params.storeId)));
      if (!removed) throw new HttpError(404, "store_not_found", `no store ${String(req.params.storeId)} of this brand`);
      res.json({ removed: true, devices: removed.devices });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    {
      method: "get",
      path: "/stores/:storeId/stream",
      tags: ["brands"],
      summary: "Staff stream (server-sent events): `customer` events for recognised customers who granted in-store recognition",
      security: "brandApiKey",
      params: storeParams,
      responses: { 200: { description: "text/event-stream of `customer` events (RecognisedCustomer JSON)", schema: z.string(), contentType: "text/event-stream" } },
    },
    async (req, res) => {
      const store = await ownStore(brandOf(res).address, String(req.params.storeId));
      staffStream(ctx, brandOf(res).address, store.id, req, res);
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    {
      method: "get",
      path: "/customers/:customer/shopping-list",
      tags: ["brands"],
      summary: "A customer's shopping list (home scanner reads), only while the customer grants the brand the shopping-list purpose",
      security: "brandApiKey",
      params: z.object({ customer: addressSchema }),
      responses: {
        200: { description: "the list, oldest scan first", schema: z.object({ customer: z.string(), items: z.array(shoppingListItemSchema) }) },
        403: { description: "consent_required: the customer does not grant the purpose (nothing about them is told)" },
      },
    },
    async (req, res) => {
      const { customer } = parseOr400(z.object({ customer: addressSchema }), req.params);
      const subject = lower(customer);
      const brand = brandOf(res).address;
      if (!(await isConsentGranted(db, { subject, controller: brand, purpose: PURPOSES.shoppingList }))) {
        throw new HttpError(403, "consent_required", "this customer does not grant the brand the shopping-list purpose");
      }
      res.setHeader("Cache-Control", "no-store");
      res.json({ customer: subject, items: await shoppingListOf(db, brand, subject) });
    },
  );

  return router;
}
