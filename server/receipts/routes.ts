import { Router } from "express";
import { z } from "zod";
import type { Address } from "viem";
import type { HttpContext } from "../http/context";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { addressSchema, lower } from "../http/schemas";
import { historyRowAt, historyRowOfOperation, receiptOfRow } from "./relayReceipt";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONSENT_KINDS = new Set(["grant", "revoke", "revokeAll"]);

const seqSchema = z
  .string()
  .refine((v) => /^[1-9]\d{0,19}$/.test(v) && BigInt(v) < 2n ** 64n, { message: "expected the action's 1-based position in the brand's history", params: { code: "invalid_seq" } });

export const consentReceiptJsonSchema = z
  .object({
    version: z.literal("confiance-receipt/1"),
    recordId: z.string(),
    subject: z.string(),
    controller: z.string(),
    purpose: z.object({ id: z.string(), name: z.string().nullable() }),
    notice: z.object({ hash: z.string(), uri: z.string().nullable() }),
    categories: z.object({ bitmap: z.string(), names: z.array(z.string()) }),
    legalBasis: z.literal("consent"),
    event: z.object({ type: z.enum(["grant", "revoke", "revoke-all"]), time: z.string() }),
    expiresAt: z.string().nullable(),
    actor: z.string(),
    collectionMethod: z.enum(["app", "in-store", "delegate"]),
    evidence: z.object({ chainId: z.number(), ledger: z.string(), transactionHash: z.string(), logIndex: z.number(), seq: z.string(), head: z.string() }),
  })
  .meta({ id: "ConsentReceipt", description: "confiance-receipt/1 (docs/audit.md, Receipts): verify it with `npm run audit -- --receipt FILE` or the auditor's page" });

/**
 * Consent receipts, public like the chain they come from: by the operation the relay accepted (once it is
 * on chain and indexed) and by position in a brand's history.
 */
export function receiptsRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  const db = deps.db;
  const chainId = deps.chain.chainId;
  const ledger = deps.chain.deployment.ledger;
  const responses = { 200: { description: "the receipt", schema: consentReceiptJsonSchema } };

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "get",
      path: "/receipts/operations/:id",
      tags: ["customers"],
      summary: "The receipt of a consent action (grant, revoke, revoke-all) the relay accepted, once it is on chain and indexed (409 receipt_not_ready before)",
      params: z.object({ id: z.string() }),
      responses,
    },
    async (req, res) => {
      const id = String(req.params.id);
      const op = UUID.test(id)
        ? (
            await db.query<{ kind: string; status: string; tx_hash: string | null; subject: string | null; controller: string | null; purpose: string | null }>(
              "SELECT kind, status, tx_hash, subject, controller, purpose FROM operations WHERE id = $1",
              [id],
            )
          ).rows[0]
        : undefined;
      if (!op) throw new HttpError(404, "operation_not_found", "no operation with this id");
      if (!CONSENT_KINDS.has(op.kind)) throw new HttpError(422, "not_a_consent_action", `a ${op.kind} operation has no consent receipt`);
      if (op.status === "failed") throw new HttpError(422, "operation_failed", "the action failed on its way to the chain: nothing to receipt");
      const row = op.status === "confirmed" && op.tx_hash ? await historyRowOfOperation(db, { kind: op.kind, txHash: op.tx_hash, subject: op.subject!, controller: op.controller!, purpose: op.purpose }) : undefined;
      if (!row) throw new HttpError(409, "receipt_not_ready", `the action is ${op.status === "confirmed" ? "confirmed and not yet indexed" : op.status}: ask again once it is on chain`);
      res.json(await receiptOfRow(db, { row, chainId, ledger }));
    },
  );

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "get",
      path: "/receipts/:controller/:seq",
      tags: ["customers"],
      summary: "The receipt of the consent action at position `seq` of a brand's history, as indexed",
      params: z.object({ controller: z.string(), seq: z.string() }),
      responses,
    },
    async (req, res) => {
      const controller = lower(parseOr400(addressSchema, req.params.controller)) as Address;
      const seq = BigInt(parseOr400(seqSchema, req.params.seq));
      const row = await historyRowAt(db, controller, seq);
      if (!row) throw new HttpError(404, "receipt_not_found", `no consent action ${seq} in this brand's indexed history`);
      res.json(await receiptOfRow(db, { row, chainId, ledger }));
    },
  );

  return router;
}
