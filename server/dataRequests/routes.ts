import { Router } from "express";
import { z } from "zod";
import { zeroAddress, type Address, type Hex } from "viem";
import { customerTypedData } from "../../client/signing/customerTypedData";
import { chainNow } from "../chain/clock";
import { chainCall } from "../http/chainCall";
import type { HttpContext } from "../http/context";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { addressSchema, lower, signatureSchema, uintSchema } from "../http/schemas";
import { verifyCustomerSignature, type SignedMessage } from "../customers/signatures";
import { countRefused, handleDataRequest } from "./handle";

/** How far a DataRequest's timestamp may be from the relay's "now", either way. */
export const DATA_REQUEST_WINDOW_SECONDS = 600;

export const dataRequestSchema = z
  .object({
    subject: addressSchema,
    kind: z.enum(["access", "erase"]).meta({ description: "access: everything the relay holds about the wallet, as JSON; erase: delete what the law does not require the brand to keep" }),
    brand: addressSchema.meta({ description: "the brand the request is about; the zero address: every brand of this relay" }),
    timestamp: uintSchema(256, "invalid_timestamp", `unix seconds the request was signed; within ${DATA_REQUEST_WINDOW_SECONDS} s of the relay's now`),
    nonce: uintSchema(256, "invalid_nonce", "any uint256, used once per wallet (a random one)"),
    signature: signatureSchema,
  })
  .strict()
  .meta({ id: "DataRequest", description: "signed DataRequest (relay domain), docs/consent.md" });

const requestRecordSchema = z.object({ id: z.string(), kind: z.enum(["access", "erase"]), scope: z.string().meta({ description: "the brand, or \"all\"" }), receivedAt: z.string() });
export const dataRequestAnswerSchema = z
  .object({
    request: requestRecordSchema,
    kind: z.enum(["access", "erase"]),
    data: z
      .record(z.string(), z.object({ description: z.string(), disposition: z.enum(["erase", "keep"]), reason: z.string(), rows: z.array(z.record(z.string(), z.unknown())) }))
      .optional()
      .meta({ description: "access: every row about the wallet, by table" }),
    report: z
      .object({
        erased: z.record(z.string(), z.number()),
        kept: z.array(z.object({ table: z.string(), description: z.string(), rows: z.number(), reason: z.string() })),
        onChain: z.string(),
      })
      .optional()
      .meta({ description: "erase: rows deleted by table, what stays and why, and what the chain keeps" }),
    onChain: z.string().optional(),
  })
  .meta({ id: "DataRequestAnswer" });

/** The customer's data requests: access to and erasure of what the relay holds about a wallet, by a signed DataRequest. */
export function dataRequestsRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  const { ledger, points } = deps.chain.deployment;
  const contracts = { chainId: deps.chain.chainId, ledger, points };

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "post",
      path: "/customers/data-requests",
      tags: ["customers"],
      summary: "Access (as JSON) or erase what the relay holds about a wallet, for one brand or all, by a signed DataRequest (no gas); logged without the data, and notified to the brands (data_request.received)",
      body: dataRequestSchema,
      responses: { 200: { description: "the data, or the erasure report", schema: dataRequestAnswerSchema } },
    },
    async (req, res) => {
      const b = parseOr400(dataRequestSchema, req.body);
      const subject = lower(b.subject);
      const brand = lower(b.brand);
      const timestamp = BigInt(b.timestamp);
      const nonce = BigInt(b.nonce);
      try {
        const now = await chainCall("the chain's time", () => chainNow(deps.chain.client));
        if (timestamp + BigInt(DATA_REQUEST_WINDOW_SECONDS) < now) throw new HttpError(400, "request_expired", `the request was signed at ${timestamp}, more than ${DATA_REQUEST_WINDOW_SECONDS} s before the relay's now (${now}): sign it again`);
        if (timestamp > now + BigInt(DATA_REQUEST_WINDOW_SECONDS)) throw new HttpError(400, "request_in_future", `the request's timestamp ${timestamp} is more than ${DATA_REQUEST_WINDOW_SECONDS} s after the relay's now (${now})`);
        const scope = brand === zeroAddress ? null : (brand as Address);
        if (scope) {
          const known = await deps.db.query("SELECT 1 FROM relay_brands WHERE address = $1", [scope]);
          if (!known.rows.length) throw new HttpError(404, "brand_not_found", "this relay serves no such brand");
        }
        const typed = customerTypedData({ contracts, primaryType: "DataRequest", message: { subject, kind: b.kind, brand, timestamp, nonce } });
        await chainCall("the signature's validity", () => verifyCustomerSignature(typed as SignedMessage, { client: deps.chain.client, subject, signature: b.signature as Hex }));
        const result = await handleDataRequest(deps.db, deps.registry, { subject, kind: b.kind, scope, nonce: nonce.toString(), signedAt: timestamp, via: "DataRequest" });
        req.log?.info({ requestId: result.request.id, kind: b.kind, scope: result.request.scope }, "data request answered");
        res.status(200).json(result);
      } catch (err) {
        if (err instanceof HttpError && err.code !== "nonce_used") countRefused(deps.registry, b.kind);
        throw err;
      }
    },
  );

  return router;
}
