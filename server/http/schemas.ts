import { z } from "zod";
import { isAddress, type Address, type Hex } from "viem";

/**
 * Building blocks of the request schemas. Each refinement names the error code its failure answers
 * with (see `validationError`), so an invalid address is `invalid_address`, an invalid amount
 * `invalid_amount`, and so on.
 */

/** A 20-byte address, any case (mixed case must be a valid checksum); normalise with `lower`. */
export const addressSchema = z
  .string()
  .refine((v) => /^0x[0-9a-fA-F]{40}$/.test(v) && isAddress(v), {
    message: "expected a 0x-prefixed 20-byte address (a mixed-case one must carry a valid checksum)",
    params: { code: "invalid_address" },
  })
  .meta({ description: "0x-prefixed 20-byte address", example: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" });

export const bytes32Schema = z
  .string()
  .refine((v) => /^0x[0-9a-fA-F]{64}$/.test(v), { message: "expected 0x and 64 hex digits", params: { code: "invalid_bytes32" } })
  .meta({ description: "0x-prefixed 32-byte hex" });

export const signatureSchema = z
  .string()
  .refine((v) => /^0x([0-9a-fA-F]{2})+$/.test(v) && v.length >= 4 && v.length <= 2 + 2 * 4096, {
    message: "expected a 0x-prefixed hex signature",
    params: { code: "invalid_signature_format" },
  })
  .meta({ description: "EIP-712 signature (65-byte ECDSA, or what an ERC-1271 wallet expects), 0x hex" });

/** An unsigned integer of at most `bits` bits, as a decimal string or a JSON integer; parse with `toBigInt`. */
export function uintSchema(bits: number, code: string, description: string) {
  const max = (1n << BigInt(bits)) - 1n;
  return z
    .union([z.string(), z.number()])
    .refine(
      (v) => {
        const s = typeof v === "number" ? (Number.isSafeInteger(v) && v >= 0 ? String(v) : "") : v;
        return /^(0|[1-9]\d{0,77})$/.test(s) && BigInt(s) <= max;
      },
      { message: `expected an unsigned integer below 2^${bits}, as a decimal string or an integer`, params: { code } },
    )
    .meta({ description });
}

/** A positive decimal amount of currency with at most 6 decimals, e.g. "59.90". */
export const currencyAmountSchema = z
  .string()
  .refine((v) => /^(0|[1-9]\d{0,17})(\.\d{1,6})?$/.test(v) && /[1-9]/.test(v), {
    message: "expected a positive decimal string with at most 6 decimals, e.g. \"59.90\"",
    params: { code: "invalid_amount" },
  })
  .meta({ description: "amount in the brand's currency units, a decimal string", example: "59.90" });

/** A non-negative decimal rate with at most 6 decimals (points per currency unit). */
export const rateSchema = z
  .string()
  .refine((v) => /^(0|[1-9]\d{0,11})(\.\d{1,6})?$/.test(v), {
    message: "expected a non-negative decimal string with at most 6 decimals, e.g. \"1\" or \"0.5\"",
    params: { code: "invalid_earning_rule" },
  })
  .meta({ description: "points per currency unit, a decimal string", example: "1" });

/** Identifiers chosen by clients (store, device, event ids). */
export const idSchema = (code: string) =>
  z
    .string()
    .refine((v) => /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(v), {
      message: "expected 1-128 characters of letters, digits, '.', '_', ':' or '-'",
      params: { code },
    });

export function toBigInt(v: string | number): bigint {
  return BigInt(v);
}

export function lower(a: string): Address {
  return a.toLowerCase() as Address;
}

export function lowerHex(h: string): Hex {
  return h.toLowerCase() as Hex;
}

export const errorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ id: "Error", description: "every 4xx/5xx answer" });
