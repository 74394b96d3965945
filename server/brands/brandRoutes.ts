import { Router } from "express";
import { z } from "zod";
import type { Address } from "viem";
import type { HttpContext } from "../http/context";
import { locals } from "../http/context";
import { brandAuth } from "../http/auth";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { idSchema, rateSchema } from "../http/schemas";
import {
  createDevice,
  createStore,
  getStore,
  listDevices,
  listStores,
  publicBrand,
  setDeviceDisabled,
  updateBrand,
} from "./registry";
import { DeviceKeyError, normalisePublicKey } from "../devices/signing";
import { staffStream } from "../devices/stream";

export const brandSchema = z
  .object({ address: z.string(), name: z.string(), pointsPerUnit: z.string(), operator: z.string(), createdAt: z.string() })
  .meta({ id: "Brand" });
export const storeSchema = z.object({ id: z.string(), brand: z.string(), name: z.string(), createdAt: z.string() }).meta({ id: "Store" });
export const deviceSchema = z
  .object({ id: z.string(), brand: z.string(), storeId: z.string(), name: z.string(), publicKey: z.string(), disabled: z.boolean(), createdAt: z.string() })
  .meta({ id: "Device" });

const nameSchema = z
  .string()
  .refine((v) => v.trim().length >= 1 && v.length <= 200, { message: "expected 1-200 characters", params: { code: "invalid_name" } });

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
export const deviceStateSchema = z.object({ disabled: z.boolean() }).strict().meta({ id: "DeviceState" });

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
    const store = await getStore(db, storeId);
    if (!store || store.brand !== brand) throw new HttpError(404, "store_not_found", `no store ${storeId} of this brand`);
    return store;
  }

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
      let publicKey: string;
      try {
        publicKey = normalisePublicKey(b.publicKey);
      } catch (err) {
        if (err instanceof DeviceKeyError) throw new HttpError(400, "invalid_public_key", err.message);
        throw err;
      }
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
      staffStream(ctx, store.id, req, res);
    },
  );

  return router;
}
