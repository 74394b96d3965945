import { Router } from "express";
import { z } from "zod";
import type { Address, Hex } from "viem";
import { PURPOSES } from "../../client/purposes";
import { isConsentGranted } from "../consent/gate";
import type { HttpContext } from "../http/context";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { addressSchema, lower, signatureSchema, uintSchema } from "../http/schemas";
import { setDisplayName } from "./displayNames";
import { verifyRelayMessage } from "./relayMessage";
import { clearShoppingList, shoppingListOf } from "./shoppingList";

/** A read or clear signature may be valid for at most this long (a captured one reads the list until then). */
export const MAX_PERSONAL_VALIDITY_SECONDS = 900;

const deadline = uintSchema(256, "invalid_deadline", `unix time after which the signature is void (at most ${MAX_PERSONAL_VALIDITY_SECONDS} s ahead)`);

export const DISPLAY_NAME_MAX = 40;

export const displayNameSchema = z
  .string()
  .refine((v) => v === "" || (v.trim() === v && [...v].length <= DISPLAY_NAME_MAX && /^[\p{L}\p{M}\p{N} .'’-]+$/u.test(v)), {
    message: `expected up to ${DISPLAY_NAME_MAX} letters, digits, spaces, '.', '-' or apostrophes, without leading or trailing spaces ("" removes it)`,
    params: { code: "invalid_display_name" },
  })
  .meta({ description: `the name staff may greet the customer by; "" removes it` });

export const shareDisplayNameSchema = z
  .object({ subject: addressSchema, brand: addressSchema, displayName: displayNameSchema, deadline, signature: signatureSchema })
  .strict()
  .meta({ id: "ShareDisplayNameRequest", description: "signed ShareDisplayName message (relay domain)" });

export const shoppingListRequestSchema = z
  .object({ subject: addressSchema, brand: addressSchema, deadline, signature: signatureSchema })
  .strict()
  .meta({ id: "ShoppingListRequest", description: "signed ReadShoppingList or ClearShoppingList message (relay domain)" });

export const shoppingListItemSchema = z
  .object({ productCode: z.string(), storeId: z.string(), scannedAt: z.string().meta({ description: "ISO time of the scan" }) })
  .meta({ id: "ShoppingListItem" });

/**
 * The customer's own off-chain data at a brand, each request proven by the wallet's signature: the
 * display name shared for in-store greeting, and the shopping list the home scanner builds.
 */
export function personalRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;

  async function checked(primaryType: "ShareDisplayName" | "ReadShoppingList" | "ClearShoppingList", subject: Address, message: Record<string, unknown>, signature: Hex, d: bigint) {
    const now = await verifyRelayMessage(deps, { primaryType, subject, message, signature, deadline: d });
    if (d > now + BigInt(MAX_PERSONAL_VALIDITY_SECONDS) + 60n) {
      throw new HttpError(400, "deadline_too_far", `the signature's deadline may be at most ${MAX_PERSONAL_VALIDITY_SECONDS} s ahead`);
    }
  }

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "post",
      path: "/customers/display-name",
      tags: ["customers"],
      summary: "Share (or, with \"\", remove) the name a brand's staff may greet the customer by; only while in-store recognition is granted (signed ShareDisplayName)",
      body: shareDisplayNameSchema,
      responses: { 200: { description: "what the brand now holds", schema: z.object({ displayName: z.string().nullable() }) } },
    },
    async (req, res) => {
      const b = parseOr400(shareDisplayNameSchema, req.body);
      const subject = lower(b.subject);
      const brand = lower(b.brand);
      const d = BigInt(b.deadline);
      await checked("ShareDisplayName", subject, { subject, brand, displayName: b.displayName, deadline: d }, b.signature as Hex, d);
      const kept = await deps.db.transaction(async (tx) => {
        if (b.displayName === "") {
          await setDisplayName(tx, brand, subject, null);
          return null;
        }
        if (!(await isConsentGranted(tx, { subject, controller: brand, purpose: PURPOSES.inStoreRecognition }))) {
          throw new HttpError(409, "consent_required", "grant this brand in-store recognition before sharing a name with it");
        }
        await setDisplayName(tx, brand, subject, b.displayName);
        return b.displayName;
      });
      res.json({ displayName: kept });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "post",
      path: "/customers/shopping-list",
      tags: ["customers"],
      summary: "The customer's shopping list at a brand: what the home scanner read under the shopping-list purpose (signed ReadShoppingList)",
      body: shoppingListRequestSchema,
      responses: { 200: { description: "the list, oldest scan first", schema: z.object({ items: z.array(shoppingListItemSchema) }) } },
    },
    async (req, res) => {
      const b = parseOr400(shoppingListRequestSchema, req.body);
      const subject = lower(b.subject);
      const brand = lower(b.brand);
      const d = BigInt(b.deadline);
      await checked("ReadShoppingList", subject, { subject, brand, deadline: d }, b.signature as Hex, d);
      res.setHeader("Cache-Control", "no-store");
      res.json({ items: await shoppingListOf(deps.db, brand, subject) });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "post",
      path: "/customers/shopping-list/clear",
      tags: ["customers"],
      summary: "Empty the customer's shopping list at a brand (signed ClearShoppingList)",
      body: shoppingListRequestSchema,
      responses: { 200: { description: "how many items were removed", schema: z.object({ cleared: z.number() }) } },
    },
    async (req, res) => {
      const b = parseOr400(shoppingListRequestSchema, req.body);
      const subject = lower(b.subject);
      const brand = lower(b.brand);
      const d = BigInt(b.deadline);
      await checked("ClearShoppingList", subject, { subject, brand, deadline: d }, b.signature as Hex, d);
      res.json({ cleared: await clearShoppingList(deps.db, brand, subject) });
    },
  );

  return router;
}
