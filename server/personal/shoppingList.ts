import type { Address } from "viem";
import type { Queryable } from "../store/db";

/** One product the customer's home scanner read at a brand (a scan event under the shopping-list purpose). */
export interface ShoppingListItem {
  productCode: string;
  /** The store whose scanner read it. */
  storeId: string;
  /** ISO time of the scan. */
  scannedAt: string;
}

/** The customer's shopping list at a brand, oldest scan first (at most 500). */
export async function shoppingListOf(db: Queryable, brand: Address, subject: Address): Promise<ShoppingListItem[]> {
  const { rows } = await db.query<{ product_code: string; store_id: string; scanned_at: Date | string }>(
    "SELECT product_code, store_id, scanned_at FROM relay_scans WHERE brand = $1 AND subject = $2 ORDER BY scanned_at, id LIMIT 500",
    [brand.toLowerCase(), subject.toLowerCase()],
  );
  return rows.map((r) => ({ productCode: r.product_code, storeId: r.store_id, scannedAt: new Date(r.scanned_at).toISOString() }));
}

/** Empties the customer's shopping list at a brand; returns how many items were removed. */
export async function clearShoppingList(db: Queryable, brand: Address, subject: Address): Promise<number> {
  const r = await db.query("DELETE FROM relay_scans WHERE brand = $1 AND subject = $2", [brand.toLowerCase(), subject.toLowerCase()]);
  return r.rowCount ?? 0;
}
