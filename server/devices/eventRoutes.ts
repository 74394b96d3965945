import crypto from "node:crypto";
import { Router } from "express";
import { z } from "zod";
import type { HttpContext } from "../http/context";
import { locals } from "../http/context";
import { defineRoute } from "../http/openapi";
import type { Address } from "viem";
import { createTierReader } from "./tierReader";
import { readDeviceHeaders } from "./auth";
import { canonicalRequestOfHash } from "../../client/device/canonicalRequest";
import { deviceEventSchema, eventAnswerSchema, handleDeviceEvent, type BackingReader, type EventOutcome } from "./events";
import { DeviceEventBatcher } from "./batcher";
import { PurchaseBatcher } from "./purchaseBatcher";
import { BackingCache } from "./backingCache";
import type { RecognisedCustomer } from "./bus";
import { coalitionPointsAbi } from "../../client/abis";

export const deviceHeadersSchema = z.object({
  "x-device-id": z.string().meta({ description: "the device's id" }),
  "x-timestamp": z.string().meta({ description: "unix seconds when the request was signed" }),
  "x-nonce": z.string().meta({ description: "16-64 random characters [A-Za-z0-9_-], new for every request" }),
  "x-signature": z.string().meta({ description: "base64url Ed25519 signature of the canonical request (docs/relay.md)" }),
});

/**
 * POST /v1/stores/:storeId/events: a shop device's signed event. The header checks that need nothing looked
 * up are done here; the rest (device, signature, replay record, consent, the event's work and its stored
 * answer) in a group-commit batch with the events that arrive together (batcher.ts, eventBatch.ts), answered
 * once committed. Purchases, once authenticated in the batch, go to a group commit of their own
 * (purchaseBatcher.ts); returns are handled in a transaction of their own (per-receipt locks).
 */
export function deviceEventsRouter(ctx: HttpContext): Router {
  const points = ctx.deps.chain.deployment.points;
  const client = ctx.deps.chain.client;
  /** CoalitionPoints' unitValue is fixed at deployment: read once. */
  let unitValue: Promise<bigint> | undefined;
  const backing: BackingReader = async (brand) => {
    unitValue ??= client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "unitValue" }).catch((err: unknown) => {
      unitValue = undefined;
      throw err;
    });
    const [balance, unit] = await Promise.all([client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "brandBalance", args: [brand] }), unitValue]);
    return { balance, unitValue: unit };
  };
  const router = Router();
  const { deps, docs, metrics, bus } = ctx;
  const tierOf = createTierReader(deps.chain.client, deps.chain.deployment.points);
  const batcher = new DeviceEventBatcher(deps.db, deps.config, (b) => metrics.deviceEventBatch.observe({ fallback: String(b.fallback) }, b.size));
  const purchases = new PurchaseBatcher(deps.db, deps.config, backing, new BackingCache(client, points), (b) =>
    metrics.purchaseBatch.observe({ fallback: String(b.fallback) }, b.size),
  );
  /**
   * Recognitions go to the staff streams after the answer, in the order their events committed: the tier
   * is read from the chain meanwhile (a recognition is never held back for it, nor the device's answer).
   */
  let published: Promise<void> = Promise.resolve();
  const publish = (recognised: RecognisedCustomer) => {
    const tier = tierOf(recognised.customer as Address);
    published = published.then(async () => bus.publish({ ...recognised, tier: await tier })).catch(() => undefined);
  };
  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "post",
      path: "/stores/:storeId/events",
      tags: ["devices"],
      summary: "A device event (presence, purchase, return, scan), signed by the device; consent-gated",
      security: "deviceSignature",
      params: z.object({ storeId: z.string() }),
      headers: deviceHeadersSchema,
      body: deviceEventSchema,
      responses: {
        202: {
          description: "accepted (processed, or acknowledged and dropped: see `dropped`); a re-sent event id gets the first answer again",
          schema: eventAnswerSchema,
        },
      },
    },
    async (req, res) => {
      const headers = readDeviceHeaders(req, deps.config);
      const result = await batcher.submit({
        deviceId: headers.deviceId,
        timestamp: headers.timestamp,
        signature: headers.signature,
        canonical: canonicalRequestOfHash(
          { method: req.method, path: req.originalUrl, timestamp: headers.timestamp, nonce: headers.nonce, deviceId: headers.deviceId },
          crypto.createHash("sha256").update(locals(res).rawBody ?? "").digest("hex"),
        ),
        storeId: req.params.storeId as string | undefined,
        body: req.body,
      });
      if (result.kind === "error") throw result.error;
      const { device, brand, event } = result;
      locals(res).device = device;
      const outcome: EventOutcome =
        result.kind === "done"
          ? result.outcome
          : event.kind === "purchase"
            ? await purchases.submit({ brand, device, event })
            : await deps.db.transaction((tx) => handleDeviceEvent(tx, deps.config, brand, device, event, backing));
      metrics.deviceEvents.inc({
        kind: event.kind,
        outcome: outcome.duplicate ? "duplicate" : outcome.dropped ? "dropped" : "accepted",
        reason: outcome.dropped ?? "",
      });
      if (outcome.duplicate) res.setHeader("Idempotent-Replayed", "true");
      locals(res).logFields = { eventId: event.eventId, kind: event.kind, device: device.id, dropped: outcome.dropped, duplicate: outcome.duplicate };
      res.status(outcome.status).json(outcome.body);
      if (outcome.recognised) publish(outcome.recognised);
    },
  );
  return router;
}
