import { z } from "zod";
import { CATEGORY_BITS, type KnownCategoryName } from "../categories";

/**
 * The notice document: what a customer reads before granting a purpose to a brand, as JSON. Its
 * keccak-256 over the RFC 8785 canonical encoding (`noticeHash`) is the `noticeHash` that the brand
 * publishes with `definePurpose` and that every grant names. docs/consent.md ("Notice documents")
 * describes each field; docs/notice.schema.json is generated from this schema (`npm run notice-schema`).
 *
 * The schema has no defaults and no transforms, and every object is strict: a document that passes is
 * hashed exactly as written, and a misspelt field is refused instead of being ignored.
 */

/** The data categories' names, bit by bit, as the ledger's `categories` bitmap assigns them (docs/consent.md). */
export const NOTICE_CATEGORY_NAMES = Object.keys(CATEGORY_BITS) as [KnownCategoryName, ...KnownCategoryName[]];

export type NoticeCategoryName = (typeof NOTICE_CATEGORY_NAMES)[number];

/** The first and last bit a controller may give a meaning of its own, described in its notice. */
export const CONTROLLER_CATEGORY_BITS = { first: 48, last: 63 } as const;

/** GDPR Art. 6(1) (a) to (f), in that order. */
export const LEGAL_BASES = ["consent", "contract", "legal-obligation", "vital-interests", "public-task", "legitimate-interests"] as const;

export type LegalBasis = (typeof LEGAL_BASES)[number];

export const RECIPIENT_ROLES = ["processor", "coalition-partner", "independent-controller", "joint-controller", "public-authority"] as const;

export const TRANSFER_SAFEGUARDS = [
  "adequacy-decision",
  "standard-contractual-clauses",
  "binding-corporate-rules",
  "approved-code-or-certification",
  "explicit-consent",
] as const;

const WELL_FORMED = /^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

/** Text shown to people: 1 to 5,000 characters, no lone UTF-16 surrogate (RFC 8785 refuses them). */
const text = (max = 5000) =>
  z
    .string()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .regex(WELL_FORMED, { message: "contains a lone UTF-16 surrogate" });

/** A BCP 47 language tag: "en", "fr", "fr-BE", "zh-Hant". */
const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** The same text in one or more languages, keyed by BCP 47 tag; English is required. */
export const localizedTextSchema = z
  .record(z.string().regex(LANGUAGE_TAG, { message: "expected a BCP 47 language tag such as \"en\" or \"fr-BE\"" }), text())
  .refine((v) => Object.hasOwn(v, "en"), { message: "missing: an English (\"en\") text is required", path: ["en"] })
  .meta({
    id: "LocalizedText",
    properties: { en: { type: "string", description: "The English text." } },
    required: ["en"],
    description: "The same text in one or more languages, keyed by BCP 47 language tag; \"en\" is required.",
    examples: [{ en: "Recognise you when you visit a store", fr: "Vous reconnaître lors de vos visites en magasin" }],
  });

export type LocalizedText = Record<string, string>;

const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, { message: "expected a 0x-prefixed 20-byte address" })
  .meta({ description: "An EVM address, 0x and 40 hex digits (any case)." });

const emailSchema = z.string().max(254).regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: "expected an e-mail address" });
const urlSchema = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s]+$/, { message: "expected an http(s) URL" });
const countrySchema = z
  .string()
  .regex(/^[A-Z]{2}$/, { message: "expected an ISO 3166-1 alpha-2 country code such as \"FR\"" })
  .meta({ description: "ISO 3166-1 alpha-2 country code." });

/** ISO 8601 duration, e.g. P13M, P2Y, P30D, P1Y6M. */
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

const contactSchema = z
  .strictObject({
    email: emailSchema,
    url: urlSchema.optional(),
    phone: z.string().regex(/^\+?[0-9 ().-]{4,32}$/, { message: "expected a phone number" }).optional(),
    postalAddress: text(500).optional(),
  })
  .meta({ id: "Contact", description: "How to reach someone about this processing; the e-mail address is required." });

const controllerSchema = z
  .strictObject({
    address: addressSchema.meta({ description: "The controller's address on chain: the brand that calls definePurpose." }),
    name: text(200).meta({ description: "Legal name of the controller." }),
    contact: contactSchema,
    dataProtectionOfficer: z
      .strictObject({ name: text(200).optional(), email: emailSchema, url: urlSchema.optional() })
      .optional()
      .meta({ description: "The data protection officer, where the controller has one." }),
  })
  .meta({ id: "Controller" });

const purposeSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: "expected a short lower-case name such as \"loyalty\" or \"in-store-recognition\"" })
      .max(64)
      .meta({ description: "Short name; the purpose id on chain is keccak256 of its UTF-8 bytes." }),
    title: localizedTextSchema,
    description: localizedTextSchema,
  })
  .meta({ id: "Purpose" });

const controllerCategorySchema = z
  .strictObject({
    bit: z.int().min(CONTROLLER_CATEGORY_BITS.first).max(CONTROLLER_CATEGORY_BITS.last).meta({ description: "A controller-specific bit, 48 to 63." }),
    description: localizedTextSchema,
  })
  .meta({ id: "ControllerCategory", description: "A data category of the controller's own: its bit in the ledger's bitmap and what it means." });

const categoriesSchema = z
  .array(
    z.union([z.enum(NOTICE_CATEGORY_NAMES), controllerCategorySchema], {
      error: `expected a category name (${NOTICE_CATEGORY_NAMES.join(", ")}) or a controller-specific { "bit": 48-63, "description": {...} }`,
    }),
  )
  .min(1)
  .superRefine((items, ctx) => {
    const seen = new Set<string>();
    for (const [i, item] of items.entries()) {
      const key = typeof item === "string" ? item : `bit-${item.bit}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: [i], message: `category ${key} is listed twice` });
      seen.add(key);
    }
  })
  .meta({
    uniqueItems: true,
    description:
      "The data categories processed, by the ledger's names (docs/consent.md), and controller-specific bits with their meaning. A grant's categories bitmap should not exceed them.",
  });

const recipientSchema = z
  .strictObject({
    name: text(200),
    role: z.enum(RECIPIENT_ROLES).meta({
      description: "processor: acts on the controller's instructions; coalition-partner: a partner brand of the coalition; independent-controller, joint-controller, public-authority.",
    }),
    address: addressSchema.optional().meta({ description: "A coalition partner's address on chain." }),
    country: countrySchema,
    purpose: localizedTextSchema.meta({ description: "What the recipient does with the data." }),
  })
  .meta({ id: "Recipient" });

const transferSchema = z
  .strictObject({
    recipient: text(200).meta({ description: "The recipient's name, as in `recipients`." }),
    country: countrySchema,
    safeguard: z.enum(TRANSFER_SAFEGUARDS).meta({ description: "GDPR Art. 45 (adequacy), 46 (contractual clauses, binding corporate rules, codes and certifications) or 49(1)(a) (explicit consent)." }),
    details: localizedTextSchema.optional(),
  })
  .meta({ id: "InternationalTransfer" });

/** The notice document. */
export const noticeSchema = z
  .strictObject({
    version: z.int().min(1).max(1_000_000).meta({ description: "This notice's version for the purpose: 1, then 2, ... Each version has its own hash." }),
    controller: controllerSchema,
    purpose: purposeSchema,
    legalBasis: z.enum(LEGAL_BASES).meta({ description: "GDPR Art. 6(1): (a) consent, (b) contract, (c) legal-obligation, (d) vital-interests, (e) public-task, (f) legitimate-interests." }),
    categories: categoriesSchema,
    retention: z
      .strictObject({
        period: z.string().regex(DURATION, { message: "expected an ISO 8601 duration such as \"P13M\" or \"P30D\"" }).meta({ description: "ISO 8601 duration after which the data is erased, counted from `description`'s event." }),
        description: localizedTextSchema,
      })
      .meta({ id: "Retention" }),
    recipients: z.array(recipientSchema).max(100).meta({ description: "Who receives the data besides the controller: processors, coalition partners, others. Empty: nobody." }),
    internationalTransfers: z.array(transferSchema).max(100).meta({ description: "Transfers outside the EU/EEA and their safeguards. Empty: none." }),
    withdrawal: z
      .strictObject({ description: localizedTextSchema, url: urlSchema.optional() })
      .meta({ id: "Withdrawal", description: "How to withdraw consent (as easy as giving it) and exercise the other rights." }),
  })
  .meta({
    id: "Notice",
    title: "Confiance notice",
    description:
      "A privacy notice for one purpose of one controller. Its noticeHash is keccak256 of its RFC 8785 (JCS) canonical JSON encoding.",
  });

export type Notice = z.infer<typeof noticeSchema>;
