import type { Address, Hex } from "viem";
import { categoryNames, type CategoryName } from "../../client/categories";
import { purposeName as knownPurposeName } from "../../client/purposes";
import type { PurposeText } from "../../client/labels";
import type { Queryable } from "../store/db";
import { RegistryConflictError } from "./registry";

/** A purpose a brand asks consent for, as the relay describes it (table relay_brand_purposes). */
export interface BrandPurpose {
  id: Hex;
  name: string;
  /** uint64 bitmap, decimal. */
  categories: string;
  categoryNames: CategoryName[];
  /** Title and description per language. */
  texts: Record<string, PurposeText>;
  /** The longest a consent to it may last, in seconds; null: no limit (`PUT /v1/brand/purposes/{name}/max-validity`). */
  maxValiditySeconds: number | null;
  updatedAt: string;
}

export interface NewBrandPurpose {
  id: Hex;
  name: string;
  categories: bigint;
  texts: Record<string, PurposeText>;
}

type Row = { purpose: string; name: string; categories: string; texts: Record<string, PurposeText>; max_validity_seconds: string | null; updated_at: Date };

const purposeOf = (r: Row): BrandPurpose => ({
  id: r.purpose as Hex,
  name: r.name,
  categories: r.categories,
  categoryNames: categoryNames(BigInt(r.categories)),
  texts: r.texts,
  maxValiditySeconds: r.max_validity_seconds === null ? null : Number(r.max_validity_seconds),
  updatedAt: r.updated_at.toISOString(),
});

const COLUMNS = "purpose, name, categories, texts, max_validity_seconds::text AS max_validity_seconds, updated_at";

/**
 * Sets (creates or replaces) what the brand tells customers about one purpose. The name is unique per
 * brand: naming a second id with a name already in use is `purpose_name_taken`.
 */
export async function setBrandPurpose(db: Queryable, brand: Address, p: NewBrandPurpose): Promise<BrandPurpose> {
  const b = brand.toLowerCase();
  const id = p.id.toLowerCase();
  const taken = await db.query<{ purpose: string }>("SELECT purpose FROM relay_brand_purposes WHERE brand = $1 AND name = $2 AND purpose <> $3", [b, p.name, id]);
  if (taken.rows[0]) throw new RegistryConflictError("purpose_name_taken", `the name ${p.name} already names purpose ${taken.rows[0].purpose} of this brand`);
  try {
    const { rows } = await db.query<Row>(
      `INSERT INTO relay_brand_purposes (brand, purpose, name, categories, texts) VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (brand, purpose) DO UPDATE SET name = EXCLUDED.name, categories = EXCLUDED.categories, texts = EXCLUDED.texts, updated_at = now()
       RETURNING ${COLUMNS}`,
      [b, id, p.name, p.categories.toString(), JSON.stringify(p.texts)],
    );
    return purposeOf(rows[0]!);
  } catch (err) {
    // Two concurrent requests giving one name to two ids: the unique index decides.
    if ((err as { code?: string }).code === "23505") throw new RegistryConflictError("purpose_name_taken", `the name ${p.name} is already in use for this brand`);
    throw err;
  }
}

export async function listBrandPurposes(db: Queryable, brand: Address): Promise<BrandPurpose[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM relay_brand_purposes WHERE brand = $1 ORDER BY name`, [brand.toLowerCase()]);
  return rows.map(purposeOf);
}

/** Every brand's purposes, by brand address (lower case). */
export async function allBrandPurposes(db: Queryable): Promise<Map<string, BrandPurpose[]>> {
  const { rows } = await db.query<Row & { brand: string }>(`SELECT brand, ${COLUMNS} FROM relay_brand_purposes ORDER BY brand, name`);
  const out = new Map<string, BrandPurpose[]>();
  for (const r of rows) out.set(r.brand, [...(out.get(r.brand) ?? []), purposeOf(r)]);
  return out;
}

/** Removes a purpose from the brand's description; false when the brand had no purpose of that name. */
export async function removeBrandPurpose(db: Queryable, brand: Address, name: string): Promise<boolean> {
  const r = await db.query("DELETE FROM relay_brand_purposes WHERE brand = $1 AND name = $2", [brand.toLowerCase(), name]);
  return r.rowCount > 0;
}

/**
 * Names purposes for people to read: `name(controller, purpose)` is the brand's own name for it at this
 * relay, else a known name (in-store-recognition, loyalty, shopping-list), else null.
 */
export async function purposeNamer(db: Queryable, controllers: readonly string[]): Promise<(controller: string | null, purpose: string | null) => string | null> {
  const unique = [...new Set(controllers.filter(Boolean).map((c) => c.toLowerCase()))];
  const { rows } = unique.length
    ? await db.query<{ brand: string; purpose: string; name: string }>("SELECT brand, purpose, name FROM relay_brand_purposes WHERE brand = ANY($1::text[])", [unique])
    : { rows: [] };
  const byKey = new Map(rows.map((r) => [`${r.brand}:${r.purpose}`, r.name]));
  return (controller, purpose) => {
    if (!purpose) return null;
    return byKey.get(`${controller?.toLowerCase()}:${purpose.toLowerCase()}`) ?? knownPurposeName({ id: purpose }) ?? null;
  };
}
