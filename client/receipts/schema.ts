import { z } from "zod";

/**
 * A consent receipt: what the relay hands a customer for each consent action, shaped after ISO/IEC TS
 * 27560 (a consent record: who, to whom, for what, on which notice, which data, on what legal basis, the
 * event and its time, the expiry, who acted and how the consent was collected), plus the chain evidence
 * that lets anyone verify it against ConsentLedger alone (`verifyReceipt`): the transaction and log that
 * recorded the action, its position `seq` in the controller's history and the history head after it.
 *
 * Addresses and hashes are 0x hex (any case); times ISO 8601 in UTC to the second, as the chain keeps them
 * (`2026-11-25T04:01:10Z`); the categories bitmap a decimal string (uint64). docs/audit.md ("Receipts")
 * describes every field.
 */
export const RECEIPT_VERSION = "confiance-receipt/1" as const;

/** How the consent action reached the chain: the customer's app, a store's staff or device, or a delegate who signed. */
export const COLLECTION_METHODS = ["app", "in-store", "delegate"] as const;
export type CollectionMethod = (typeof COLLECTION_METHODS)[number];

/** The action's type, as the ledger's history names it. */
export const RECEIPT_EVENTS = ["grant", "revoke", "revoke-all"] as const;
export type ReceiptEventType = (typeof RECEIPT_EVENTS)[number];

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, { message: "expected a 0x-prefixed 20-byte address" });
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, { message: "expected a 0x-prefixed 32-byte hex value" });
const uint64 = z
  .string()
  .regex(/^(0|[1-9]\d*)$/, { message: "expected a decimal integer" })
  .refine((v) => BigInt(v) < 2n ** 64n, { message: "must fit in 64 bits" });
/** ISO 8601 in UTC to the second (fractions refused: the chain keeps whole seconds). */
const utcTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, { message: "expected an ISO 8601 UTC time to the second, e.g. 2026-11-25T04:01:10Z" });

export const consentReceiptSchema = z.strictObject({
  /** The format of this record. */
  version: z.literal(RECEIPT_VERSION),
  /** The relay's identifier of this record (27560 record id), unique per receipt. */
  recordId: z.string().min(1).max(128),
  /** The customer: their wallet address (27560 PII principal). */
  subject: address,
  /** The brand: its address on chain (27560 PII controller). */
  controller: address,
  /** The purpose: its bytes32 id on chain and, when known, its short name. Zero id for a revoke-all. */
  purpose: z.strictObject({ id: bytes32, name: z.string().min(1).max(64).nullable() }),
  /** The notice the customer was shown (keccak-256 of the notice document; zero hash for revocations) and where to read it. */
  notice: z.strictObject({ hash: bytes32, uri: z.string().max(2048).nullable() }),
  /** The data categories: the ledger's uint64 bitmap and its names (client module `categoryNames`). */
  categories: z.strictObject({ bitmap: uint64, names: z.array(z.string()) }),
  /** A ledger action is consent or its withdrawal: GDPR Art. 6(1)(a). */
  legalBasis: z.literal("consent"),
  /** What happened and when (the block's time). */
  event: z.strictObject({ type: z.enum(RECEIPT_EVENTS), time: utcTime }),
  /** When the consent ends by itself; null when it does not (and for revocations). */
  expiresAt: utcTime.nullable(),
  /** Who authorised the action: the customer, or their delegate who signed. */
  actor: address,
  /** How it was collected: `delegate` exactly when the actor is not the customer. */
  collectionMethod: z.enum(COLLECTION_METHODS),
  /** Where the chain recorded it. */
  evidence: z.strictObject({
    chainId: z.number().int().positive(),
    /** The ConsentLedger contract. */
    ledger: address,
    transactionHash: bytes32,
    logIndex: z.number().int().nonnegative(),
    /** The action's 1-based position in the controller's history (decimal, uint64). */
    seq: uint64,
    /** The controller's history head after this action. */
    head: bytes32,
  }),
});

export type ConsentReceipt = z.infer<typeof consentReceiptSchema>;

/** A receipt that does not follow the format; `field` is the first offending path (`evidence.logIndex`). */
export class InvalidReceiptError extends Error {
  override name = "InvalidReceiptError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`receipt ${field ? `field ${field}` : ""}: ${message}`);
  }
}

/** Parses a receipt (an object, or its JSON text), refusing anything that does not follow the format. */
export function parseReceipt(input: unknown): ConsentReceipt {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new InvalidReceiptError("", `not JSON: ${(err as Error).message}`);
    }
  }
  const parsed = consentReceiptSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidReceiptError(issue.path.join("."), issue.message);
  }
  return parsed.data;
}

/** A unix time as the receipt writes it. */
export function receiptTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
