import { Router } from "express";
import { z } from "zod";
import type { HttpContext } from "../http/context";
import { locals } from "../http/context";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import type { Address } from "viem";
import { getBrand } from "../brands/registry";
import { createTierReader } from "./tierReader";
import { deviceAuth } from "./auth";
import { EVENT_KINDS, deviceEventSchema, eventAnswerSchema, handleDeviceEvent, type BackingReader } from "./events";
import { coalitionPointsAbi } from "../../client/abis";

export const deviceHeadersSchema = z.object({
  "x-device-id": z.string().meta({ description: "the device's id" }),
  "x-timestamp": z.string().meta({ description: "unix seconds when the request was signed" }),
  "x-nonce": z.string().meta({ description: "16-64 random characters [A-Za-z0-9_-], new for every request" }),
  "x-signature": z.string().meta({ description: "base64url Ed25519 signature of the canonical request (docs/relay.md)" }),
});

/** POST /v1/stores/:storeId/events: a shop device's signed event. */
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
      const brand = await getBrand(deps.db, device.brand);
      if (!brand) throw new HttpError(401, "bad_device_signature", "X-Signature does not verify with the device's key over the canonical request");
      if (brand.disabled) throw new HttpError(403, "brand_disabled", "this device's brand is disabled on this relay");
      const outcome = await deps.db.transaction((tx) => handleDeviceEvent(tx, deps.config, brand, device, event, backing));
      metrics.deviceEvents.inc({
        kind: event.kind,
        outcome: outcome.duplicate ? "duplicate" : outcome.dropped ? "dropped" : "accepted",
        reason: outcome.dropped ?? "",
      });
      if (outcome.recognised) bus.publish({ ...outcome.recognised, tier: await tierOf(outcome.recognised.customer as Address) });
      if (outcome.duplicate) res.setHeader("Idempotent-Replayed", "true");
      req.log?.info({ eventId: event.eventId, kind: event.kind, device: device.id, dropped: outcome.dropped, duplicate: outcome.duplicate }, "device event");
      res.status(outcome.status).json(outcome.body);
    },
  );
  return router;
}
