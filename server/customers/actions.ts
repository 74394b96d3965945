import { Router, type Response } from "express";
import { z } from "zod";
import { keccak256, type Address, type Hex } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import { chainNow } from "../chain/clock";
import { enqueueOperation, type NewOperation, type OperationKind } from "../chain/outbox";
import { resolvePurpose } from "../../client/purposes";
import { chainCall } from "../http/chainCall";
import type { HttpContext } from "../http/context";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { addressSchema, bytes32Schema, lower, signatureSchema, uintSchema } from "../http/schemas";
import { chainNonceOf, checkNonce, lockSubject, recordAction, type NonceContract } from "./nonces";
import { recoverLocally, verifyCustomerSignature, type SignedMessage } from "./signatures";
import { CodeCache } from "./codeCache";
import { NoticeCache } from "../consent/noticeCache";
import { ActionQuotas } from "./quotas";
import { refuseIdleDelegateRemoval, refuseIdleRevoke, refuseIdleRevokeAll, refuseUncoveredRedeem } from "./prechecks";
import { spentToday } from "../chain/spend";
import type { Queryable } from "../store/db";
import { Counter } from "prom-client";
import { eraseDisplayNameOnRevocation } from "../personal/displayNames";
import { ledgerDomain, ledgerTypes, pointsDomain, pointsTypes } from "../../client/typedData";
import { queueAcceptedOperation } from "../webhooks/relayEvents";
import { checkMaxValidity } from "../consent/validity";

export const purposeSchema = z
  .string()
  .refine((v) => /^0x[0-9a-fA-F]{64}$/.test(v) || /^[a-z0-9][a-z0-9._-]{0,63}$/.test(v), {
    message: "expected a bytes32 purpose id or a short purpose name such as \"loyalty\"",
    params: { code: "invalid_purpose" },
  })
  .meta({ description: "purpose id (bytes32) or its name; the id is keccak256 of the name", example: "in-store-recognition" });

const nonce = uintSchema(256, "invalid_nonce", "the subject's EIP-712 nonce on the contract (GET /v1/customers/{address}/nonces)");
const deadline = uintSchema(256, "invalid_deadline", "unix time after which the signature is void");

export const grantSchema = z
  .object({
    subject: addressSchema,
    controller: addressSchema,
    purpose: purposeSchema,
    categories: uintSchema(64, "invalid_categories", "bitmap of data categories (docs/consent-categories)"),
    expiresAt: uintSchema(40, "invalid_expiry", "unix time the consent ends; 0: no expiry").default(0),
    noticeHash: bytes32Schema,
    nonce,
    deadline,
    signature: signatureSchema,
  })
  .strict()
  .meta({ id: "GrantRequest" });

export const revokeSchema = z
  .object({ subject: addressSchema, controller: addressSchema, purpose: purposeSchema, nonce, deadline, signature: signatureSchema })
  .strict()
  .meta({ id: "RevokeRequest" });

export const revokeAllSchema = z
  .object({ subject: addressSchema, controller: addressSchema, nonce, deadline, signature: signatureSchema })
  .strict()
  .meta({ id: "RevokeAllRequest" });

export const setDelegateSchema = z
  .object({
    subject: addressSchema,
    delegate: addressSchema,
    until: uintSchema(40, "invalid_until", "unix time until which the delegate may sign; 0 removes it"),
    nonce,
    deadline,
    signature: signatureSchema,
  })
  .strict()
  .meta({ id: "SetDelegateRequest" });

export const redeemSchema = z
  .object({
    customer: addressSchema,
    brand: addressSchema,
    points: uintSchema(256, "invalid_amount", "points to spend (> 0)"),
    orderRef: bytes32Schema,
    nonce,
    deadline,
    signature: signatureSchema,
  })
  .strict()
  .meta({ id: "RedeemRequest" });

export const acceptedOperationSchema = z
  .object({ operationId: z.string(), kind: z.string(), status: z.string(), duplicate: z.boolean() })
  .meta({ id: "AcceptedOperation" });

interface Accept {
  /** The nonce lane the signature uses (the operation goes to ConsentLedger unless it is "points"). */
  lane: NonceContract;
  subject: Address;
  nonce: bigint;
  deadline: bigint;
  signature: Hex;
  typed: SignedMessage;
  allowDelegates: boolean;
  op: Omit<NewOperation, "idempotencyKey" | "contract">;
  /** Checks of the chain before the signature: throw an HttpError to refuse. */
  precheck?: () => Promise<void>;
  /**
   * Checks that the action would change something on chain, run under the subject's lock (so they see
   * every action of the subject accepted before): throw an HttpError to refuse.
   */
  lockedCheck?: (tx: Queryable, now: bigint) => Promise<void>;
}

/** The customer-facing signed actions: consent (grant, revoke, revoke-all, set-delegate) and redemption. */
export function customerActionsRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  const { config } = deps;
  const client = deps.chain.client;
  const { ledger, points } = deps.chain.deployment;
  const chainId = deps.chain.chainId;
  const quotas = new ActionQuotas(config);
  const codeLookups = (deps.registry.getSingleMetric("relay_code_lookups_total") as Counter<"source"> | undefined) ?? new Counter({
    name: "relay_code_lookups_total",
    help: "whether an address holds code, asked of the chain (fetched) or answered from the cache (cached)",
    labelNames: ["source"],
    registers: [deps.registry],
  });
  const codes = new CodeCache(client, config.CODE_CACHE_SECONDS, 10_000, (cached) => codeLookups.inc({ source: cached ? "cached" : "fetched" }));
  const noticeLookups = (deps.registry.getSingleMetric("relay_notice_lookups_total") as Counter<"source"> | undefined) ?? new Counter({
    name: "relay_notice_lookups_total",
    help: "a purpose's current notice hash for a grant, asked of the chain (fetched) or answered from this block's cache (cached)",
    labelNames: ["source"],
    registers: [deps.registry],
  });
  const notices = new NoticeCache(client, ledger, 10_000, (cached) => noticeLookups.inc({ source: cached ? "cached" : "fetched" }));
  const erc1271 = { gas: BigInt(config.ERC1271_GAS_LIMIT), timeoutMs: config.ERC1271_TIMEOUT_MS, codes };
  const pre = { db: deps.db, client, deployment: deps.chain.deployment };
  /** The key that sends customers' actions: the first configured one. */
  const customerSigner = ctx.signerAddresses?.[0] as Address | undefined;

  async function refuseOverSpend(res: Response): Promise<void> {
    const limit = config.SIGNER_DAILY_SPEND_LIMIT_WEI;
    if (limit === 0n || !customerSigner) return;
    const spent = await spentToday(deps.db, chainId, customerSigner);
    if (spent >= limit) {
      res.set("Retry-After", "3600");
      throw new HttpError(503, "relay_spend_ceiling", `the relay's key paid ${spent} wei in fees in the last 24 hours, its ceiling: customers' actions are not relayed until it falls below; send the action to the contract from the wallet instead`);
    }
  }

  /**
   * The signature's syntax and ECDSA signer (no RPC); the same signature again; quotas and the spend
   * ceiling; deadline; chain prechecks; a signature that needs the chain (delegate, ERC-1271, bounded);
   * then, in one transaction under the subject's lock, the no-op checks, nonce and enqueue.
   */
  async function accept(res: Response, a: Accept): Promise<void> {
    const local = await recoverLocally(a.typed, a.signature);
    const idempotencyKey = `sig:${keccak256(a.signature)}`;
    const existing = await deps.db.query<{ id: string; kind: string; status: string }>(
      "SELECT id::text AS id, kind, status FROM operations WHERE idempotency_key = $1",
      [idempotencyKey],
    );
    if (existing.rows[0]) {
      const e = existing.rows[0];
      res.status(202).json({ operationId: e.id, kind: e.kind, status: e.status, duplicate: true });
      return;
    }
    const clientAddress = res.req.ip ?? "unknown";
    quotas.checkClient(res, clientAddress);
    await quotas.checkWallet(deps.db, res, a.subject);
    await refuseOverSpend(res);
    const now = await chainCall("the chain's time", () => chainNow(client));
    if (a.deadline < now) throw new HttpError(400, "deadline_expired", `the signature's deadline ${a.deadline} has passed`);
    await a.precheck?.();
    await chainCall("the signature's validity", () =>
      verifyCustomerSignature(a.typed, { client, subject: a.subject, signature: a.signature, delegatesOf: a.allowDelegates ? ledger : undefined, erc1271, now, local }),
    );
    const [chainNonce, chainBlock] = await chainCall("nonces", () =>
      Promise.all([chainNonceOf(client, deps.chain.deployment, a.lane, a.subject), client.getBlockNumber({ cacheTime: 0 })]),
    );
    const contract = a.lane === "points" ? "points" : "ledger";
    const queued = await deps.db.transaction(async (tx) => {
      await lockSubject(tx, a.lane, a.subject);
      await a.lockedCheck?.(tx, now);
      await checkNonce(tx, a.lane, a.subject, a.nonce, chainNonce);
      const { id } = await enqueueOperation(tx, { ...a.op, contract, idempotencyKey });
      await recordAction(tx, { operationId: id, contract: a.lane, subject: a.subject, nonce: a.nonce, chainBlock });
      await queueAcceptedOperation(tx, id, a.op);
      await eraseDisplayNameOnRevocation(tx, a.op);
      return id;
    });
    quotas.noteClient(clientAddress);
    res.req.log?.info({ operationId: queued, kind: a.op.kind }, "customer action queued");
    res.status(202).json({ operationId: queued, kind: a.op.kind, status: "queued", duplicate: false });
  }

  const responses = { 202: { description: "accepted and queued (or the same signature again: its first operation)", schema: acceptedOperationSchema } };

  defineRoute(router, docs, "/v1", { method: "post", path: "/consents/grant", tags: ["customers"], summary: "Grant consent by EIP-712 signature (Grant)", body: grantSchema, responses }, async (req, res) => {
    const b = parseOr400(grantSchema, req.body);
    const subject = lower(b.subject);
    const controller = lower(b.controller);
    const purpose = resolvePurpose(b.purpose);
    const categories = BigInt(b.categories);
    const expiresAt = Number(b.expiresAt);
    const noticeHash = b.noticeHash.toLowerCase() as Hex;
    if (categories === 0n) throw new HttpError(400, "invalid_categories", "categories must name at least one data category");
    const now = await chainCall("the chain's time", () => chainNow(client));
    if (expiresAt !== 0 && BigInt(expiresAt) <= now) throw new HttpError(400, "invalid_expiry", "expiresAt is in the past");
    await checkMaxValidity(deps.db, { controller, purpose, expiresAt, now });
    const nonceValue = BigInt(b.nonce);
    const deadlineValue = BigInt(b.deadline);
    await accept(res, {
      lane: "ledger",
      subject,
      nonce: nonceValue,
      deadline: deadlineValue,
      signature: b.signature as Hex,
      allowDelegates: true,
      typed: {
        domain: ledgerDomain(chainId, ledger),
        types: ledgerTypes,
        primaryType: "Grant",
        message: { subject, controller, purpose, categories, expiresAt, noticeHash, nonce: nonceValue, deadline: deadlineValue },
      },
      precheck: async () => {
        const current = await chainCall("the purpose's notice", () => notices.current(controller, purpose, noticeHash));
        if (/^0x0{64}$/.test(current)) throw new HttpError(422, "purpose_not_defined", "the controller has not defined this purpose");
        if (current.toLowerCase() !== noticeHash) {
          throw new HttpError(422, "stale_notice", `noticeHash is not the controller's current notice (${current.toLowerCase()})`);
        }
      },
      op: {
        kind: "grant",
        functionName: "grantBySig",
        args: [subject, controller, purpose, categories, expiresAt, noticeHash, deadlineValue, b.signature],
        subject,
        controller,
        purpose,
      },
    });
  });

  defineRoute(router, docs, "/v1", { method: "post", path: "/consents/revoke", tags: ["customers"], summary: "Revoke one consent by EIP-712 signature (Revoke); effective at the relay at once", body: revokeSchema, responses }, async (req, res) => {
    const b = parseOr400(revokeSchema, req.body);
    const subject = lower(b.subject);
    const controller = lower(b.controller);
    const purpose = resolvePurpose(b.purpose);
    const nonceValue = BigInt(b.nonce);
    const deadlineValue = BigInt(b.deadline);
    await accept(res, {
      lane: "ledger",
      subject,
      nonce: nonceValue,
      deadline: deadlineValue,
      signature: b.signature as Hex,
      allowDelegates: true,
      typed: { domain: ledgerDomain(chainId, ledger), types: ledgerTypes, primaryType: "Revoke", message: { subject, controller, purpose, nonce: nonceValue, deadline: deadlineValue } },
      lockedCheck: (tx) => refuseIdleRevoke({ ...pre, db: tx }, subject, controller, purpose),
      op: { kind: "revoke", functionName: "revokeBySig", args: [subject, controller, purpose, deadlineValue, b.signature], subject, controller, purpose },
    });
  });

  defineRoute(router, docs, "/v1", { method: "post", path: "/consents/revoke-all", tags: ["customers"], summary: "Revoke every consent given to a controller (RevokeAll); effective at the relay at once", body: revokeAllSchema, responses }, async (req, res) => {
    const b = parseOr400(revokeAllSchema, req.body);
    const subject = lower(b.subject);
    const controller = lower(b.controller);
    const nonceValue = BigInt(b.nonce);
    const deadlineValue = BigInt(b.deadline);
    await accept(res, {
      lane: "ledger",
      subject,
      nonce: nonceValue,
      deadline: deadlineValue,
      signature: b.signature as Hex,
      allowDelegates: true,
      typed: { domain: ledgerDomain(chainId, ledger), types: ledgerTypes, primaryType: "RevokeAll", message: { subject, controller, nonce: nonceValue, deadline: deadlineValue } },
      lockedCheck: (tx) => refuseIdleRevokeAll({ ...pre, db: tx }, subject, controller),
      op: { kind: "revokeAll", functionName: "revokeAllBySig", args: [subject, controller, deadlineValue, b.signature], subject, controller },
    });
  });

  defineRoute(router, docs, "/v1", { method: "post", path: "/consents/set-delegate", tags: ["customers"], summary: "Name (or remove, until = 0) a delegate by EIP-712 signature (SetDelegate)", body: setDelegateSchema, responses }, async (req, res) => {
    const b = parseOr400(setDelegateSchema, req.body);
    const subject = lower(b.subject);
    const delegate = lower(b.delegate);
    const until = Number(b.until);
    const nonceValue = BigInt(b.nonce);
    const deadlineValue = BigInt(b.deadline);
    if (delegate === subject) throw new HttpError(400, "invalid_delegate", "a subject cannot be its own delegate");
    await accept(res, {
      lane: "delegate",
      subject,
      nonce: nonceValue,
      deadline: deadlineValue,
      signature: b.signature as Hex,
      allowDelegates: false,
      typed: { domain: ledgerDomain(chainId, ledger), types: ledgerTypes, primaryType: "SetDelegate", message: { subject, delegate, until, nonce: nonceValue, deadline: deadlineValue } },
      lockedCheck: until === 0 ? (tx, now) => refuseIdleDelegateRemoval({ ...pre, db: tx }, subject, delegate, now) : undefined,
      op: { kind: "setDelegate", functionName: "setDelegateBySig", args: [subject, delegate, until, deadlineValue, b.signature], subject },
    });
  });

  defineRoute(router, docs, "/v1", { method: "post", path: "/points/redeem", tags: ["customers"], summary: "Redeem points at a brand by EIP-712 signature (Redeem)", body: redeemSchema, responses }, async (req, res) => {
    const b = parseOr400(redeemSchema, req.body);
    const customer = lower(b.customer);
    const brand = lower(b.brand);
    const amount = BigInt(b.points);
    const orderRef = b.orderRef.toLowerCase() as Hex;
    if (amount === 0n) throw new HttpError(400, "invalid_amount", "points must be positive");
    const nonceValue = BigInt(b.nonce);
    const deadlineValue = BigInt(b.deadline);
    await accept(res, {
      lane: "points",
      subject: customer,
      nonce: nonceValue,
      deadline: deadlineValue,
      signature: b.signature as Hex,
      allowDelegates: false,
      typed: { domain: pointsDomain(chainId, points), types: pointsTypes, primaryType: "Redeem", message: { customer, brand, points: amount, orderRef, nonce: nonceValue, deadline: deadlineValue } },
      precheck: async () => {
        const accepts = await chainCall("whether the brand accepts redemptions", () =>
          client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "acceptsRedemptions", args: [brand] }),
        );
        if (!accepts) throw new HttpError(422, "redemptions_not_accepted", "this brand does not accept redemptions now (not admitted, or it turned them off)");
      },
      lockedCheck: (tx) => refuseUncoveredRedeem({ ...pre, db: tx }, customer, amount),
      op: { kind: "redeem" satisfies OperationKind, functionName: "redeemBySig", args: [customer, brand, amount, orderRef, deadlineValue, b.signature], subject: customer, controller: brand },
    });
  });

  return router;
}
