import { Router } from "express";
import { z } from "zod";
import type { Hex } from "viem";
import { InvalidNoticeError, noticeSchema, parseNotice } from "../../client/notices";
import type { HttpContext } from "../http/context";
import { locals } from "../http/context";
import { brandAuth } from "../http/auth";
import { HttpError } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { noticeDocument, storeNotice } from "./store";

export const storedNoticeSchema = z
  .object({
    noticeHash: z.string().meta({ description: "keccak256 of the document's RFC 8785 canonical JSON: the noticeHash to publish with definePurpose" }),
    controller: z.string(),
    purpose: z.string().meta({ description: "purpose id: keccak256 of purposeName" }),
    purposeName: z.string(),
    version: z.number().int(),
    url: z.string().meta({ description: "where the relay serves the document" }),
    createdAt: z.string(),
  })
  .meta({ id: "StoredNotice" });

const hashParams = z.object({ noticeHash: z.string().meta({ description: "0x and 64 hex digits" }) });
const HASH = /^0x[0-9a-fA-F]{64}$/;

/**
 * Notice documents: brands hand the relay each version (PUT /v1/brand/notices, brand API key), and anyone
 * reads any version by its hash (GET /v1/notices/{noticeHash}), byte for byte the canonical JSON that hashes
 * to it, so the text behind any grant can be shown and checked.
 */
export function noticesRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  const db = deps.db;

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "get",
      path: "/notices/:noticeHash",
      tags: ["notices"],
      summary: "A notice document by its hash: the canonical JSON (RFC 8785) whose keccak-256 is noticeHash",
      params: hashParams,
      responses: { 200: { description: "the document, byte for byte as hashed", schema: noticeSchema } },
    },
    async (req, res) => {
      const hash = String(req.params.noticeHash);
      if (!HASH.test(hash)) throw new HttpError(400, "invalid_notice_hash", "noticeHash: expected 0x and 64 hex digits");
      const document = await noticeDocument(db, hash.toLowerCase() as Hex);
      if (document === undefined) throw new HttpError(404, "notice_not_found", `this relay holds no notice whose hash is ${hash.toLowerCase()}`);
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
      res.setHeader("ETag", `"${hash.toLowerCase()}"`);
      res.send(document);
    },
  );

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "put",
      path: "/brand/notices",
      tags: ["notices", "brands"],
      summary: "Store a notice version of the calling brand (idempotent: 201 when new, 200 when already stored)",
      security: "brandApiKey",
      body: noticeSchema,
      responses: {
        200: { description: "already stored", schema: storedNoticeSchema },
        201: { description: "stored", schema: storedNoticeSchema },
      },
    },
    brandAuth(db),
    async (req, res) => {
      let notice;
      try {
        notice = parseNotice(req.body);
      } catch (err) {
        if (err instanceof InvalidNoticeError) throw new HttpError(400, "invalid_notice", err.issues.join("; "));
        throw err;
      }
      const brand = locals(res).brand!;
      if (notice.controller.address.toLowerCase() !== brand.address.toLowerCase()) {
        throw new HttpError(403, "notice_controller_mismatch", `the notice names controller ${notice.controller.address}; this API key is brand ${brand.address}`);
      }
      const { notice: stored, created } = await storeNotice(db, notice);
      res.status(created ? 201 : 200).json({ ...stored, url: `/v1/notices/${stored.noticeHash}` });
    },
  );

  return router;
}
