import { Router, type Response } from "express";
import { z } from "zod";
import { brandAuth } from "../http/auth";
import { locals, type HttpContext } from "../http/context";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import {
  createEndpoint,
  deleteEndpoint,
  EndpointLimitError,
  getDelivery,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  redeliver,
  rotateSecret,
  updateEndpoint,
} from "./endpoints";
import { EVENT_TYPES, RETRACTED } from "./events";
import { checkEndpointUrl, MAX_URL_LENGTH, WebhookUrlError } from "./urls";

const urlSchema = z
  .string()
  .refine((v) => v.length >= 1 && v.length <= MAX_URL_LENGTH, { message: `expected a URL of at most ${MAX_URL_LENGTH} characters`, params: { code: "invalid_url" } })
  .meta({ description: "https:// URL the events are POSTed to (no redirects are followed)", example: "https://crm.brand.example/hooks/confiance" });

const eventTypesSchema = z
  .array(z.string())
  .refine((v) => v.length >= 1 && v.length <= EVENT_TYPES.length && new Set(v).size === v.length && v.every((t) => (EVENT_TYPES as readonly string[]).includes(t)), {
    message: `expected a non-empty list, without repeats, of: ${EVENT_TYPES.join(", ")}`,
    params: { code: "invalid_event_types" },
  })
  .meta({ description: "event types the endpoint receives (default: all)" });

const descriptionSchema = z.string().refine((v) => v.length <= 200, { message: "expected at most 200 characters", params: { code: "invalid_description" } });

export const newEndpointSchema = z
  .object({ url: urlSchema, eventTypes: eventTypesSchema.optional(), description: descriptionSchema.optional(), enabled: z.boolean().optional() })
  .strict()
  .meta({ id: "NewWebhookEndpoint" });

export const endpointPatchSchema = z
  .object({ url: urlSchema.optional(), eventTypes: eventTypesSchema.optional(), description: descriptionSchema.optional(), enabled: z.boolean().optional() })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: "name at least one of url, eventTypes, description, enabled", params: { code: "empty_update" } })
  .meta({ id: "WebhookEndpointPatch" });

export const rotateSchema = z
  .object({
    graceSeconds: z
      .number()
      .refine((v) => Number.isInteger(v) && v >= 0 && v <= 7 * 86_400, { message: "expected whole seconds from 0 to 604800", params: { code: "invalid_grace" } })
      .optional()
      .meta({ description: "how long the previous secret keeps signing beside the new one (default WEBHOOK_ROTATION_GRACE_SECONDS)" }),
  })
  .strict()
  .meta({ id: "WebhookSecretRotation" });

const deliveriesQuery = z
  .object({
    status: z
      .string()
      .refine((v) => ["pending", "delivered", "failed", "cancelled"].includes(v), { message: "expected pending, delivered, failed or cancelled", params: { code: "invalid_status" } })
      .optional(),
    limit: z
      .string()
      .refine((v) => /^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= 200, { message: "expected 1 to 200", params: { code: "invalid_limit" } })
      .optional(),
    before: z
      .string()
      .refine((v) => /^[1-9]\d{0,15}$/.test(v), { message: "expected a delivery id from the previous page", params: { code: "invalid_before" } })
      .optional(),
  })
  .strict();

export const endpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    consecutiveFailures: z.number(),
    previousSecretExpiresAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "WebhookEndpoint" });

const withSecret = endpointSchema.extend({ secret: z.string().meta({ description: "whsec_...: shown once" }) }).meta({ id: "WebhookEndpointWithSecret" });

export const deliverySchema = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(["pending", "delivered", "failed", "cancelled"]),
    manual: z.boolean(),
    attempts: z.number(),
    nextAttemptAt: z.string().nullable(),
    lastStatus: z.number().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: "WebhookDelivery" });

const attemptSchema = z.object({
  attempt: z.number(),
  startedAt: z.string(),
  durationMs: z.number().nullable(),
  statusCode: z.number().nullable(),
  error: z.string().nullable(),
  responseExcerpt: z.string().nullable(),
});

const deliveryDetailSchema = deliverySchema
  .extend({ payload: z.unknown(), attemptLog: z.array(attemptSchema) })
  .meta({ id: "WebhookDeliveryDetail" });

const endpointParams = z.object({ endpointId: z.string() });
const deliveryParams = z.object({ deliveryId: z.string() });
const BASE = "/v1/brand/webhooks";

/**
 * The brand API's webhook routes (Authorization: Bearer <brand API key>), under /v1/brand/webhooks:
 * endpoints (create, list, read, update, delete, rotate the secret), their delivery log, re-delivery.
 */
export function webhooksRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  const { db, config } = deps;
  const policy = { allowLoopback: config.WEBHOOK_ALLOW_LOOPBACK, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE };
  router.use(brandAuth(db));
  const brandOf = (res: Response) => locals(res).brand!.address;
  const security = "brandApiKey" as const;
  const tags = ["webhooks"];

  const checkedUrl = (url: string) => {
    try {
      return checkEndpointUrl(url, policy).toString();
    } catch (err) {
      if (err instanceof WebhookUrlError) throw new HttpError(400, "invalid_url", err.message);
      throw err;
    }
  };
  const ownEndpoint = async (res: Response, id: string) => {
    const endpoint = await getEndpoint(db, brandOf(res), id);
    if (!endpoint) throw new HttpError(404, "endpoint_not_found", `no webhook endpoint ${id} of this brand`);
    return endpoint;
  };

  defineRoute(router, docs, BASE, { method: "get", path: "/event-types", tags, security, summary: "The event types an endpoint can receive", responses: { 200: { description: "event types", schema: z.object({ eventTypes: z.array(z.string()), always: z.array(z.string()) }) } } }, (_req, res) => {
    res.json({ eventTypes: EVENT_TYPES, always: [RETRACTED] });
  });

  defineRoute(router, docs, BASE, { method: "get", path: "/endpoints", tags, security, summary: "The brand's webhook endpoints", responses: { 200: { description: "endpoints", schema: z.object({ endpoints: z.array(endpointSchema) }) } } }, async (_req, res) => {
    res.json({ endpoints: await listEndpoints(db, brandOf(res)) });
  });

  defineRoute(
    router,
    docs,
    BASE,
    { method: "post", path: "/endpoints", tags, security, summary: "Add a webhook endpoint; its signing secret is in this answer only", body: newEndpointSchema, responses: { 201: { description: "the endpoint and its secret", schema: withSecret } } },
    async (req, res) => {
      const b = parseOr400(newEndpointSchema, req.body);
      try {
        const { endpoint, secret } = await createEndpoint(
          db,
          brandOf(res),
          { url: checkedUrl(b.url), eventTypes: b.eventTypes ?? EVENT_TYPES, description: b.description ?? "", enabled: b.enabled ?? true },
          config.WEBHOOK_MAX_ENDPOINTS,
        );
        res.status(201).json({ ...endpoint, secret });
      } catch (err) {
        if (err instanceof EndpointLimitError) throw new HttpError(409, "endpoint_limit", err.message);
        throw err;
      }
    },
  );

  defineRoute(router, docs, BASE, { method: "get", path: "/endpoints/:endpointId", tags, security, summary: "One webhook endpoint", params: endpointParams, responses: { 200: { description: "the endpoint", schema: endpointSchema } } }, async (req, res) => {
    res.json(await ownEndpoint(res, String(req.params.endpointId)));
  });

  defineRoute(
    router,
    docs,
    BASE,
    { method: "patch", path: "/endpoints/:endpointId", tags, security, summary: "Change an endpoint's URL, event types, description, or enable / disable it", params: endpointParams, body: endpointPatchSchema, responses: { 200: { description: "the endpoint", schema: endpointSchema } } },
    async (req, res) => {
      const b = parseOr400(endpointPatchSchema, req.body);
      const endpoint = await updateEndpoint(db, brandOf(res), String(req.params.endpointId), { ...b, url: b.url === undefined ? undefined : checkedUrl(b.url) });
      if (!endpoint) throw new HttpError(404, "endpoint_not_found", `no webhook endpoint ${String(req.params.endpointId)} of this brand`);
      res.json(endpoint);
    },
  );

  defineRoute(router, docs, BASE, { method: "delete", path: "/endpoints/:endpointId", tags, security, summary: "Delete an endpoint with its deliveries and their log", params: endpointParams, responses: { 204: { description: "deleted" } } }, async (req, res) => {
    if (!(await deleteEndpoint(db, brandOf(res), String(req.params.endpointId)))) {
      throw new HttpError(404, "endpoint_not_found", `no webhook endpoint ${String(req.params.endpointId)} of this brand`);
    }
    res.status(204).end();
  });

  defineRoute(
    router,
    docs,
    BASE,
    {
      method: "post",
      path: "/endpoints/:endpointId/rotate-secret",
      tags,
      security,
      summary: "Replace the signing secret (shown in this answer only); the old one keeps signing during the grace period",
      params: endpointParams,
      body: rotateSchema,
      responses: { 200: { description: "the endpoint and its new secret", schema: withSecret } },
    },
    async (req, res) => {
      const b = parseOr400(rotateSchema, req.body ?? {});
      const rotated = await rotateSecret(db, brandOf(res), String(req.params.endpointId), b.graceSeconds ?? config.WEBHOOK_ROTATION_GRACE_SECONDS);
      if (!rotated) throw new HttpError(404, "endpoint_not_found", `no webhook endpoint ${String(req.params.endpointId)} of this brand`);
      res.json({ ...rotated.endpoint, secret: rotated.secret });
    },
  );

  defineRoute(
    router,
    docs,
    BASE,
    {
      method: "get",
      path: "/endpoints/:endpointId/deliveries",
      tags,
      security,
      summary: "An endpoint's deliveries, newest first (status, attempts, last answer)",
      params: endpointParams,
      query: deliveriesQuery,
      responses: { 200: { description: "deliveries; pass nextBefore as before for the next page", schema: z.object({ deliveries: z.array(deliverySchema), nextBefore: z.string().nullable() }) } },
    },
    async (req, res) => {
      const q = parseOr400(deliveriesQuery, req.query);
      const endpoint = await ownEndpoint(res, String(req.params.endpointId));
      const limit = q.limit ? Number(q.limit) : 50;
      const deliveries = await listDeliveries(db, brandOf(res), endpoint.id, { status: q.status as never, limit, before: q.before });
      res.json({ deliveries, nextBefore: deliveries.length === limit ? deliveries[deliveries.length - 1]!.id : null });
    },
  );

  defineRoute(
    router,
    docs,
    BASE,
    { method: "get", path: "/deliveries/:deliveryId", tags, security, summary: "One delivery with its attempts (status codes, latency, answer excerpt) and the event's body", params: deliveryParams, responses: { 200: { description: "the delivery", schema: deliveryDetailSchema } } },
    async (req, res) => {
      const delivery = await getDelivery(db, brandOf(res), String(req.params.deliveryId));
      if (!delivery) throw new HttpError(404, "delivery_not_found", `no delivery ${String(req.params.deliveryId)} of this brand`);
      res.json(delivery);
    },
  );

  defineRoute(
    router,
    docs,
    BASE,
    {
      method: "post",
      path: "/deliveries/:deliveryId/redeliver",
      tags,
      security,
      summary: "Send the delivery's event again (same webhook-id), behind what is queued for the endpoint",
      params: deliveryParams,
      responses: { 202: { description: "the new delivery", schema: deliverySchema } },
    },
    async (req, res) => {
      const r = await redeliver(db, brandOf(res), String(req.params.deliveryId));
      if ("delivery" in r) {
        res.status(202).json(r.delivery);
        return;
      }
      if (r.refused === "not_found") throw new HttpError(404, "delivery_not_found", `no delivery ${String(req.params.deliveryId)} of this brand`);
      if (r.refused === "endpoint_disabled") throw new HttpError(409, "endpoint_disabled", "the endpoint is disabled: enable it first");
      throw new HttpError(409, "event_retracted", "the event was retracted (its block was abandoned by a chain reorganisation)");
    },
  );

  return router;
}
