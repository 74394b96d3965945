import { z } from "zod";
import { currencyAmountSchema } from "../http/schemas";

/** A product code as scanners and tills send it. */
export const productCodeSchema = z
  .string()
  .refine((v) => /^[A-Za-z0-9._-]{1,64}$/.test(v), { message: "expected 1-64 letters, digits, '.', '_' or '-'", params: { code: "invalid_product_code" } });

export const basketItemsSchema = z
  .array(z.object({ productCode: productCodeSchema, amount: currencyAmountSchema }).strict())
  .max(200)
  .meta({ id: "BasketItems", description: "the basket's lines (product code, amount), for campaigns on product codes; at most 200" });

export const issuanceReasonSchema = z.enum(["purchase", "campaign", "welcome", "consent-reward"]).meta({ id: "IssuanceReason" });

export const issuancePartSchema = z
  .object({
    reason: issuanceReasonSchema,
    campaign: z.string().nullable().meta({ description: "the campaign's name for reason `campaign`" }),
    points: z.string(),
    receiptId: z.string().meta({ description: "the on-chain receipt id of this issuance" }),
  })
  .meta({ id: "IssuancePart" });
