import { Router } from "express";
import { z } from "zod";
import type { HttpContext } from "../http/context";
import { locals } from "../http/context";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { getBrand } from "../brands/registry";
import { deviceAuth, recordSignature } from "./auth";
import { EVENT_KINDS, deviceEventSchema, eventAnswerSchema, handleDeviceEvent } from "./events";
import { tierOf } from "../loyalty/tier";

export const deviceHeadersSchema = z.object({
  "x-device-id": z.string().meta({ description: "the device's id" }),
  "x-timestamp": z.string().meta({ description: "unix seconds when the request was signed" }),
  "x-nonce": z.string().meta({ description: "16-64 random characters [A-Za-z0-9_-], new for every request" }),
  "x-signature": z.string().meta({ description: "base64url Ed25519 signature of the canonical request (docs/relay.md)" }),
});

/** POST /v1/stores/:storeId/events: a shop device's signed event. */
export function deviceEventsRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs, metrics, bus } = ctx;
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
    deviceAuth(deps.config, deps.db),
    async (req, res) => {
      const kind = (req.body as { kind?: unknown } | undefined)?.kind;
      if (typeof kind !== "string" || !(EVENT_KINDS as readonly string[]).includes(kind)) {
        throw new HttpError(400, "invalid_event_kind", `kind must be one of ${EVENT_KINDS.join(", ")}`);
      }
      const event = parseOr400(deviceEventSchema, req.body);
      const device = locals(res).device!;
      const signature = locals(res).deviceSignature!;
      const brand = await getBrand(deps.db, device.brand);
      if (!brand) throw new HttpError(401, "unknown_device", "the device's brand is not registered");
      const outcome = await deps.db.transaction(async (tx) => {
        await recordSignature(tx, deps.config, device.id, signature.bytes, signature.timestamp);
        return handleDeviceEvent(tx, deps.config, brand, device, event);
      });
      metrics.deviceEvents.inc({
        kind: event.kind,
        outcome: outcome.duplicate ? "duplicate" : outcome.dropped ? "dropped" : "accepted",
        reason: outcome.dropped ?? "",
      });
      if (outcome.recognised) bus.publish({ ...outcome.recognised, ...(await tierOf(deps, outcome.recognised.customer)) });
      if (outcome.duplicate) res.setHeader("Idempotent-Replayed", "true");
      req.log?.info({ eventId: event.eventId, kind: event.kind, device: device.id, dropped: outcome.dropped, duplicate: outcome.duplicate }, "device event");
      res.status(outcome.status).json(outcome.body);
    },
  );
  return router;
}
