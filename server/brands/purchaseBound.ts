import type { Env } from "../config";
import { HttpError } from "../http/errors";
import type { Brand } from "./registry";

/**
 * The largest amount one purchase of `brand` may carry: the brand's own bound (set by the relay's
 * operator, `POST /v1/admin/brands/:address/limits`), else the relay's PURCHASE_MAX_AMOUNT. A brand's
 * bound is never above the relay's: it only narrows what a till (or whoever holds its key) can issue
 * points for in one event.
 */
export function purchaseBoundOf(config: Pick<Env, "PURCHASE_MAX_AMOUNT">, brand: Pick<Brand, "maxPurchaseAmount">): { bound: number; source: string } {
  const own = brand.maxPurchaseAmount === null ? undefined : Number(brand.maxPurchaseAmount);
  return own !== undefined && own < config.PURCHASE_MAX_AMOUNT
    ? { bound: own, source: "this brand's bound" }
    : { bound: config.PURCHASE_MAX_AMOUNT, source: "PURCHASE_MAX_AMOUNT" };
}

/** Refuses a purchase above the brand's bound: 422 `amount_too_large`, naming the bound and where it comes from. */
export function checkPurchaseAmount(config: Pick<Env, "PURCHASE_MAX_AMOUNT">, brand: Pick<Brand, "maxPurchaseAmount">, amount: string): void {
  const { bound, source } = purchaseBoundOf(config, brand);
  if (Number(amount) > bound) throw new HttpError(422, "amount_too_large", `a purchase amount is at most ${bound} (${source})`);
}
