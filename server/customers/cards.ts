import crypto from "node:crypto";
import { Router } from "express";
import { z } from "zod";
import { hashTypedData, keccak256, toBytes, type Address, type Hex } from "viem";
import type { Env } from "../config";
import type { Queryable } from "../store/db";
import { chainNow } from "../chain/clock";
import { chainCall } from "../http/chainCall";
import type { HttpContext } from "../http/context";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { addressSchema, lower, signatureSchema, uintSchema } from "../http/schemas";
import { verifyCustomerSignature } from "./signatures";
import { relayDomain, relayTypes } from "../../client/typedData";
import { handleDataRequest } from "../dataRequests/handle";

/**
 * Loyalty cards linked to wallets. The relay keeps only HMAC-SHA256(CARD_TOKEN_PEPPER, brand ":" token)
 * of a card token: a leaked database does not reveal card numbers, and without the pepper nobody can test
 * a guessed number against it.
 */
export function cardHash(pepper: string, brand: Address, cardToken: string): string {
  return crypto.createHmac("sha256", pepper).update(`${brand.toLowerCase()}:${cardToken}`, "utf8").digest("hex");
}

/** The wallet a card token of `brand` is linked to, if any. */
export async function walletOfCard(db: Queryable, config: Pick<Env, "CARD_TOKEN_PEPPER">, brand: Address, cardToken: string): Promise<Address | undefined> {
  if (!config.CARD_TOKEN_PEPPER) return undefined;
  const { rows } = await db.query<{ subject: string }>("SELECT subject FROM relay_card_links WHERE brand = $1 AND card_hash = $2", [
    brand.toLowerCase(),
    cardHash(config.CARD_TOKEN_PEPPER, brand, cardToken),
  ]);
  return rows[0]?.subject as Address | undefined;
}

export const cardTokenSchema = z
  .string()
  .refine((v) => v.length >= 4 && v.length <= 128 && /^[\x21-\x7e]+$/.test(v), {
    message: "expected 4-128 printable ASCII characters",
    params: { code: "invalid_card_token" },
  })
  .meta({ description: "the loyalty card's token as the reader sees it" });

const deadline = uintSchema(256, "invalid_deadline", "unix time after which the signature is void");

export const cardLinkSchema = z
  .object({ subject: addressSchema, brand: addressSchema, cardToken: cardTokenSchema, deadline, signature: signatureSchema })
  .strict()
  .meta({ id: "CardLinkRequest", description: "signed LinkCard / UnlinkCard message (relay domain); card = keccak256(cardToken)" });

export const eraseSchema = z
  .object({ subject: addressSchema, brand: addressSchema, deadline, signature: signatureSchema })
  .strict()
  .meta({ id: "EraseRequest", description: "signed EraseData message (relay domain)" });

/** Card linking and erasure of the relay's off-chain data about a customer, each proven by the wallet's signature. */
export function cardsRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  const domain = relayDomain(deps.chain.chainId, deps.chain.deployment);

  function pepper(): string {
    if (!deps.config.CARD_TOKEN_PEPPER) throw new HttpError(503, "cards_disabled", "CARD_TOKEN_PEPPER is not configured: loyalty cards are off");
    return deps.config.CARD_TOKEN_PEPPER;
  }

  /**
   * Checks a relay-domain message: deadline not passed and at most LINK_MAX_DEADLINE_SECONDS ahead, the
   * subject's signature. Resolves to the chain-time "now" and the message's EIP-712 digest, which `consume`
   * then records so the message is accepted once.
   */
  async function verify(primaryType: "LinkCard" | "UnlinkCard" | "EraseData", subject: Address, message: Record<string, unknown>, signature: Hex, deadlineValue: bigint) {
    const now = await chainCall("the chain's time", () => chainNow(deps.chain.client, { fresh: true }));
    if (deadlineValue < now) throw new HttpError(400, "deadline_expired", `the signature's deadline ${deadlineValue} has passed`);
    const max = BigInt(deps.config.LINK_MAX_DEADLINE_SECONDS);
    if (deadlineValue > now + max) throw new HttpError(400, "deadline_too_far", `the deadline may be at most ${max} seconds ahead (LINK_MAX_DEADLINE_SECONDS)`);
    await chainCall("the signature's validity", () =>
      verifyCustomerSignature({ domain, types: relayTypes, primaryType, message }, { client: deps.chain.client, subject, signature }),
    );
    return { now, digest: hashTypedData({ domain, types: relayTypes, primaryType, message } as Parameters<typeof hashTypedData>[0]).toLowerCase() };
  }

  /** Records a verified message as used (409 signature_used when it already was). */
  async function consume(tx: Queryable, digest: string, deadlineValue: bigint): Promise<void> {
    const r = await tx.query("INSERT INTO relay_signed_messages (digest, expires_at) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING", [digest, deadlineValue.toString()]);
    if (r.rowCount === 0) throw new HttpError(409, "signature_used", "this signed message was already used: sign it afresh");
  }

  /** Notes an unlink or erasure at `now`: a LinkCard that may have been signed before it is refused later. */
  async function noteErasure(tx: Queryable, brand: Address, subject: Address, now: bigint): Promise<void> {
    await tx.query(
      `INSERT INTO relay_customer_erasures (brand, subject, erased_at) VALUES ($1, $2, $3)
       ON CONFLICT (brand, subject) DO UPDATE SET erased_at = GREATEST(relay_customer_erasures.erased_at, EXCLUDED.erased_at)`,
      [brand, subject, now.toString()],
    );
  }

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "post",
      path: "/cards/link",
      tags: ["customers"],
      summary: "Link a loyalty card to a wallet (signed LinkCard)",
      body: cardLinkSchema,
      responses: { 201: { description: "linked", schema: z.object({ linked: z.literal(true) }) } },
    },
    async (req, res) => {
      const b = parseOr400(cardLinkSchema, req.body);
      const key = pepper();
      const subject = lower(b.subject);
      const brand = lower(b.brand);
      const d = BigInt(b.deadline);
      const { digest } = await verify("LinkCard", subject, { subject, brand, card: keccak256(toBytes(b.cardToken)), deadline: d }, b.signature as Hex, d);
      const hash = cardHash(key, brand, b.cardToken);
      await deps.db.transaction(async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`relay-messages:${brand}:${subject}`]);
        // Signed at the earliest LINK_MAX_DEADLINE_SECONDS before its deadline: if that is before the
        // customer's last unlink or erasure, it may be an old link replayed.
        const erased = await tx.query<{ erased_at: number }>("SELECT erased_at FROM relay_customer_erasures WHERE brand = $1 AND subject = $2", [brand, subject]);
        const earliest = d - BigInt(deps.config.LINK_MAX_DEADLINE_SECONDS);
        if (erased.rows[0] && earliest < BigInt(erased.rows[0].erased_at)) {
          throw new HttpError(409, "signed_before_erasure", "this link may have been signed before the customer's last unlink or erasure: sign it afresh");
        }
        await consume(tx, digest, d);
        const r = await tx.query(
          `INSERT INTO relay_card_links (brand, card_hash, subject) VALUES ($1, $2, $3)
           ON CONFLICT (brand, card_hash) DO UPDATE SET subject = EXCLUDED.subject, linked_at = now()
           WHERE relay_card_links.subject = EXCLUDED.subject`,
          [brand, hash, subject],
        );
        if (r.rowCount === 0) throw new HttpError(409, "card_linked_elsewhere", "this card is linked to another wallet: unlink it there first");
      });
      res.status(201).json({ linked: true });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "post",
      path: "/cards/unlink",
      tags: ["customers"],
      summary: "Unlink (erase) a loyalty card (signed UnlinkCard)",
      body: cardLinkSchema,
      responses: { 200: { description: "erased", schema: z.object({ erased: z.number() }) } },
    },
    async (req, res) => {
      const b = parseOr400(cardLinkSchema, req.body);
      const key = pepper();
      const subject = lower(b.subject);
      const brand = lower(b.brand);
      const d = BigInt(b.deadline);
      const { now, digest } = await verify("UnlinkCard", subject, { subject, brand, card: keccak256(toBytes(b.cardToken)), deadline: d }, b.signature as Hex, d);
      const r = await deps.db.transaction(async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`relay-messages:${brand}:${subject}`]);
        await consume(tx, digest, d);
        await noteErasure(tx, brand, subject, now);
        return tx.query("DELETE FROM relay_card_links WHERE brand = $1 AND card_hash = $2 AND subject = $3", [brand, cardHash(key, brand, b.cardToken), subject]);
      });
      res.status(200).json({ erased: r.rowCount });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "post",
      path: "/customers/erase",
      tags: ["customers"],
      summary: "Erase the relay's off-chain data about a customer for a brand (signed EraseData): the erasure of a DataRequest \"erase\" for that brand, answering the counts of visits, scans and card links erased",
      body: eraseSchema,
      responses: { 200: { description: "erased", schema: z.object({ visits: z.number(), scans: z.number(), cards: z.number() }) } },
    },
    async (req, res) => {
      const b = parseOr400(eraseSchema, req.body);
      const subject = lower(b.subject);
      const brand = lower(b.brand);
      const d = BigInt(b.deadline);
      const { now, digest } = await verify("EraseData", subject, { subject, brand, deadline: d }, b.signature as Hex, d);
      await deps.db.transaction(async (tx) => {
        await consume(tx, digest, d);
        await noteErasure(tx, brand, subject, now);
      });
      // The same erasure as a DataRequest of kind "erase" for this brand (till amounts included): logged and notified likewise.
      const result = await handleDataRequest(deps.db, deps.registry, { subject, kind: "erase", scope: brand, nonce: null, signedAt: d, via: "EraseData" });
      const erased = result.kind === "erase" ? result.report.erased : {};
      res.status(200).json({ visits: erased.relay_visits ?? 0, scans: erased.relay_scans ?? 0, cards: erased.relay_card_links ?? 0 });
    },
  );

  return router;
}
