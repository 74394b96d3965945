import type { Address, Hex } from "viem";
import type { Queryable } from "../store/db";
import type { Campaign } from "./earn";

/** A brand's programme settings beside its base rate (relay_brands). */
export interface Programme {
  /** Seconds a purchase's points stay pending before issuance; 0: issued at once. */
  returnWindowSeconds: number;
  /** Points on a customer's first purchase at the brand; 0: none. */
  welcomeBonus: bigint;
}

export async function getProgramme(db: Queryable, brand: Address): Promise<Programme> {
  const { rows } = await db.query<{ w: number; b: string }>("SELECT return_window_seconds AS w, welcome_bonus::text AS b FROM relay_brands WHERE address = $1", [brand]);
  return { returnWindowSeconds: Number(rows[0]?.w ?? 0), welcomeBonus: BigInt(rows[0]?.b ?? "0") };
}

export async function setProgramme(db: Queryable, brand: Address, p: Partial<Programme>): Promise<Programme> {
  await db.query(
    "UPDATE relay_brands SET return_window_seconds = COALESCE($2, return_window_seconds), welcome_bonus = COALESCE($3::numeric, welcome_bonus) WHERE address = $1",
    [brand, p.returnWindowSeconds ?? null, p.welcomeBonus === undefined ? null : p.welcomeBonus.toString()],
  );
  return getProgramme(db, brand);
}

type CampaignRow = { name: string; multiplier: string | null; bonus: string | null; product_codes: unknown; starts_at: Date | string; ends_at: Date | string };

const campaignOf = (r: CampaignRow): Campaign => {
  const codes = typeof r.product_codes === "string" ? (JSON.parse(r.product_codes) as string[] | null) : (r.product_codes as string[] | null);
  return {
    name: r.name,
    multiplier: r.multiplier === null ? null : r.multiplier.replace(/\.?0+$/, ""),
    bonus: r.bonus === null ? null : BigInt(r.bonus),
    productCodes: codes ?? null,
    startsAt: new Date(r.starts_at),
    endsAt: new Date(r.ends_at),
  };
};

const CAMPAIGN_COLUMNS = "name, multiplier::text AS multiplier, bonus::text AS bonus, product_codes, starts_at, ends_at";

/** The brand's campaigns, past, running and future, by start. */
export async function listCampaigns(db: Queryable, brand: Address): Promise<Campaign[]> {
  const { rows } = await db.query<CampaignRow>(`SELECT ${CAMPAIGN_COLUMNS} FROM relay_campaigns WHERE brand = $1 ORDER BY starts_at, name`, [brand]);
  return rows.map(campaignOf);
}

/** The campaigns running at `now`. */
export async function runningCampaigns(db: Queryable, brand: Address, now: Date): Promise<Campaign[]> {
  const { rows } = await db.query<CampaignRow>(`SELECT ${CAMPAIGN_COLUMNS} FROM relay_campaigns WHERE brand = $1 AND starts_at <= $2 AND ends_at > $2 ORDER BY name`, [
    brand,
    now.toISOString(),
  ]);
  return rows.map(campaignOf);
}

/** Creates or replaces the campaign named `c.name`. */
export async function setCampaign(db: Queryable, brand: Address, c: Campaign): Promise<Campaign> {
  const { rows } = await db.query<CampaignRow>(
    `INSERT INTO relay_campaigns (brand, name, multiplier, bonus, product_codes, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
     ON CONFLICT (brand, name) DO UPDATE SET multiplier = EXCLUDED.multiplier, bonus = EXCLUDED.bonus, product_codes = EXCLUDED.product_codes,
       starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at
     RETURNING ${CAMPAIGN_COLUMNS}`,
    [brand, c.name, c.multiplier, c.bonus === null ? null : c.bonus.toString(), JSON.stringify(c.productCodes), c.startsAt.toISOString(), c.endsAt.toISOString()],
  );
  return campaignOf(rows[0]!);
}

export async function removeCampaign(db: Queryable, brand: Address, name: string): Promise<boolean> {
  const { rows } = await db.query("DELETE FROM relay_campaigns WHERE brand = $1 AND name = $2 RETURNING name", [brand, name]);
  return rows.length > 0;
}

/** Rewards for consent by purpose id: brand -> purpose -> points. */
export async function purposeRewards(db: Queryable, brands?: readonly string[]): Promise<Map<string, Map<string, bigint>>> {
  const { rows } = await db.query<{ brand: string; purpose: string; points: string }>(
    brands ? "SELECT brand, purpose, points::text AS points FROM relay_purpose_rewards WHERE brand = ANY($1::text[])" : "SELECT brand, purpose, points::text AS points FROM relay_purpose_rewards",
    brands ? [brands] : [],
  );
  const out = new Map<string, Map<string, bigint>>();
  for (const r of rows) {
    if (!out.has(r.brand)) out.set(r.brand, new Map());
    out.get(r.brand)!.set(r.purpose, BigInt(r.points));
  }
  return out;
}

/** Attaches (or changes) a reward to a purpose; `points` null removes it. */
export async function setPurposeReward(db: Queryable, brand: Address, purpose: Hex, points: bigint | null): Promise<void> {
  if (points === null) {
    await db.query("DELETE FROM relay_purpose_rewards WHERE brand = $1 AND purpose = $2", [brand, purpose]);
    return;
  }
  await db.query(
    "INSERT INTO relay_purpose_rewards (brand, purpose, points) VALUES ($1, $2, $3) ON CONFLICT (brand, purpose) DO UPDATE SET points = EXCLUDED.points",
    [brand, purpose, points.toString()],
  );
}
