import { pointsFor, toMicros } from "../brands/earning";

/** Why points were (or will be) issued; the customer's history and the brand's console show it. */
export type IssuanceReason = "purchase" | "campaign" | "welcome" | "consent-reward";

/** A campaign as the rules apply it. */
export interface Campaign {
  name: string;
  /** Decimal above 1 ("2", "1.5"): base points of the matching amount times this; or null with `bonus`. */
  multiplier: string | null;
  /** Fixed points per matching purchase; or null with `multiplier`. */
  bonus: bigint | null;
  /** Product codes the campaign is on; null: every purchase. */
  productCodes: string[] | null;
  startsAt: Date;
  endsAt: Date;
}

/** A line of a basket: a product code and its amount (decimal string). */
export interface BasketItem {
  productCode: string;
  amount: string;
}

/** One part of what a purchase earns. */
export interface EarningPart {
  reason: Exclude<IssuanceReason, "consent-reward">;
  /** The campaign's name for reason "campaign", else null. */
  campaign: string | null;
  points: bigint;
}

export interface EarningsForParameters {
  /** The purchase's total, a decimal string. */
  amount: string;
  /** The basket's lines, for campaigns on product codes (optional). */
  items?: readonly BasketItem[];
  /** The brand's base rate, points per currency unit. */
  pointsPerUnit: string;
  campaigns: readonly Campaign[];
  /** Points of the welcome bonus when this is the customer's first purchase at the brand, else 0. */
  welcome: bigint;
  now: Date;
}

const SCALE = 1_000_000n;

/** True while `c` runs at `now` (start included, end excluded). */
export function campaignRuns(c: Campaign, now: Date): boolean {
  return c.startsAt.getTime() <= now.getTime() && now.getTime() < c.endsAt.getTime();
}

/**
 * What a purchase earns now: the base rate's points ("purchase"), each running campaign's extra
 * ("campaign": the multiplier's points over the base of the matching amount, or its fixed bonus when
 * the basket matches), and the welcome bonus; parts of 0 points are left out. The welcome bonus comes
 * only with a purchase that earns something else.
 *
 * @example earningsFor({ amount: "10", pointsPerUnit: "2", campaigns: [], welcome: 0n, now: new Date() })
 *   // [{ reason: "purchase", campaign: null, points: 20n }]
 */
export function earningsFor(p: EarningsForParameters): EarningPart[] {
  const parts: EarningPart[] = [];
  const base = pointsFor(p.amount, p.pointsPerUnit);
  if (base > 0n) parts.push({ reason: "purchase", campaign: null, points: base });
  const total = toMicros(p.amount);
  for (const c of [...p.campaigns].sort((x, y) => x.name.localeCompare(y.name))) {
    if (!campaignRuns(c, p.now)) continue;
    let matching = total;
    if (c.productCodes !== null) {
      const codes = new Set(c.productCodes);
      matching = (p.items ?? []).filter((i) => codes.has(i.productCode)).reduce((s, i) => s + toMicros(i.amount), 0n);
      if (matching > total) matching = total;
      if (matching === 0n) continue;
    }
    let points = 0n;
    if (c.multiplier !== null) {
      const extra = toMicros(c.multiplier) - SCALE;
      points = (matching * toMicros(p.pointsPerUnit) * extra) / (SCALE * SCALE * SCALE);
    } else points = c.bonus ?? 0n;
    if (points > 0n) parts.push({ reason: "campaign", campaign: c.name, points });
  }
  if (parts.length > 0 && p.welcome > 0n) parts.push({ reason: "welcome", campaign: null, points: p.welcome });
  return parts;
}
