import crypto from "node:crypto";
import type { Address } from "viem";
import type { Queryable } from "../store/db";
import { hashApiKey, newApiKey } from "./apiKeys";

/** Brands, their stores and devices, as the relay keeps them (table relay_brands, relay_stores, relay_devices). */
export interface Brand {
  address: Address;
  name: string;
  pointsPerUnit: string;
  operator: Address;
  receiptSalt: string;
  /** Disabled by the relay's operator: its key and devices are refused. */
  disabled: boolean;
  /** The brand's own bound on one purchase's amount (currency units, decimal), or null: PURCHASE_MAX_AMOUNT. */
  maxPurchaseAmount: string | null;
  createdAt: string;
}

export interface Store {
  id: string;
  brand: Address;
  name: string;
  createdAt: string;
}

export interface Device {
  id: string;
  brand: Address;
  storeId: string;
  name: string;
  publicKey: string;
  disabled: boolean;
  createdAt: string;
}

/** An id or address already registered; the HTTP error handler answers it 409 with its code. */
export class RegistryConflictError extends Error {
  override name = "RegistryConflictError";
  constructor(
    readonly code: "brand_exists" | "store_exists" | "device_exists" | "device_key_taken" | "purpose_name_taken",
    message: string,
  ) {
    super(message);
  }
}

export type BrandRow = {
  address: string;
  name: string;
  points_per_unit: string;
  operator: string;
  receipt_salt: string;
  disabled: boolean;
  max_purchase_amount: string | null;
  created_at: Date;
};
type StoreRow = { id: string; brand: string; name: string; created_at: Date };
export type DeviceRow = { id: string; brand: string; store_id: string; name: string; public_key: string; disabled: boolean; created_at: Date };

export const brandOf = (r: BrandRow): Brand => ({
  address: r.address as Address,
  name: r.name,
  pointsPerUnit: normaliseDecimal(r.points_per_unit),
  operator: r.operator as Address,
  receiptSalt: r.receipt_salt,
  disabled: r.disabled,
  maxPurchaseAmount: r.max_purchase_amount === null ? null : normaliseDecimal(r.max_purchase_amount),
  createdAt: r.created_at.toISOString(),
});
const storeOf = (r: StoreRow): Store => ({ id: r.id, brand: r.brand as Address, name: r.name, createdAt: r.created_at.toISOString() });
export const deviceOf = (r: DeviceRow): Device => ({
  id: r.id,
  brand: r.brand as Address,
  storeId: r.store_id,
  name: r.name,
  publicKey: r.public_key,
  disabled: r.disabled,
  createdAt: r.created_at.toISOString(),
});

/** "1.500000" -> "1.5", "2.000" -> "2". */
export function normaliseDecimal(v: string): string {
  return v.includes(".") ? v.replace(/0+$/, "").replace(/\.$/, "") : v;
}

const BRAND_COLUMNS = "address, name, points_per_unit::text, operator, receipt_salt, disabled, max_purchase_amount::text, created_at";

export async function createBrand(
  db: Queryable,
  b: { address: Address; name: string; pointsPerUnit: string; operator: Address },
): Promise<{ brand: Brand; apiKey: string }> {
  const apiKey = newApiKey();
  const { rows } = await db.query<BrandRow>(
    `INSERT INTO relay_brands (address, name, points_per_unit, operator, api_key_hash, receipt_salt)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (address) DO NOTHING
     RETURNING ${BRAND_COLUMNS}`,
    [b.address.toLowerCase(), b.name, b.pointsPerUnit, b.operator.toLowerCase(), hashApiKey(apiKey), `0x${crypto.randomBytes(32).toString("hex")}`],
  );
  if (rows.length === 0) throw new RegistryConflictError("brand_exists", `brand ${b.address} is already registered`);
  return { brand: brandOf(rows[0]!), apiKey };
}

export async function rotateApiKey(db: Queryable, address: Address): Promise<string | undefined> {
  const apiKey = newApiKey();
  const r = await db.query("UPDATE relay_brands SET api_key_hash = $2, updated_at = now() WHERE address = $1", [address.toLowerCase(), hashApiKey(apiKey)]);
  return r.rowCount > 0 ? apiKey : undefined;
}

/** Disables or re-enables a brand; undefined when there is no such brand. */
export async function setBrandDisabled(db: Queryable, address: Address, disabled: boolean): Promise<Brand | undefined> {
  const { rows } = await db.query<BrandRow>(`UPDATE relay_brands SET disabled = $2, updated_at = now() WHERE address = $1 RETURNING ${BRAND_COLUMNS}`, [
    address.toLowerCase(),
    disabled,
  ]);
  return rows[0] && brandOf(rows[0]);
}

export async function getBrand(db: Queryable, address: Address): Promise<Brand | undefined> {
  const { rows } = await db.query<BrandRow>(`SELECT ${BRAND_COLUMNS} FROM relay_brands WHERE address = $1`, [address.toLowerCase()]);
  return rows[0] && brandOf(rows[0]);
}

export async function listBrands(db: Queryable): Promise<Brand[]> {
  const { rows } = await db.query<BrandRow>(`SELECT ${BRAND_COLUMNS} FROM relay_brands ORDER BY created_at, address`);
  return rows.map(brandOf);
}

export async function brandByApiKey(db: Queryable, apiKey: string): Promise<Brand | undefined> {
  const { rows } = await db.query<BrandRow>(`SELECT ${BRAND_COLUMNS} FROM relay_brands WHERE api_key_hash = $1`, [hashApiKey(apiKey)]);
  return rows[0] && brandOf(rows[0]);
}

/**
 * Changes a brand's settings; a field left undefined is kept. `maxPurchaseAmount: null` goes back to the
 * relay's PURCHASE_MAX_AMOUNT.
 */
export async function updateBrand(
  db: Queryable,
  address: Address,
  patch: { pointsPerUnit?: string; operator?: Address; name?: string; maxPurchaseAmount?: string | null },
): Promise<Brand | undefined> {
  const { rows } = await db.query<BrandRow>(
    `UPDATE relay_brands SET points_per_unit = COALESCE($2::numeric, points_per_unit), operator = COALESCE($3, operator),
       name = COALESCE($4, name), max_purchase_amount = CASE WHEN $5 THEN $6::numeric ELSE max_purchase_amount END, updated_at = now()
     WHERE address = $1 RETURNING ${BRAND_COLUMNS}`,
    [
      address.toLowerCase(),
      patch.pointsPerUnit ?? null,
      patch.operator?.toLowerCase() ?? null,
      patch.name ?? null,
      patch.maxPurchaseAmount !== undefined,
      patch.maxPurchaseAmount ?? null,
    ],
  );
  return rows[0] && brandOf(rows[0]);
}

export async function createStore(db: Queryable, s: { id: string; brand: Address; name: string }): Promise<Store> {
  const { rows } = await db.query<StoreRow>(
    "INSERT INTO relay_stores (id, brand, name) VALUES ($1, $2, $3) ON CONFLICT (brand, id) DO NOTHING RETURNING id, brand, name, created_at",
    [s.id, s.brand.toLowerCase(), s.name],
  );
  if (rows.length === 0) throw new RegistryConflictError("store_exists", `this brand already has a store ${s.id}`);
  return storeOf(rows[0]!);
}

/** A store of `brand`; another brand's store of that id is not found, exactly as a missing one. */
export async function getStore(db: Queryable, brand: Address, id: string): Promise<Store | undefined> {
  const { rows } = await db.query<StoreRow>("SELECT id, brand, name, created_at FROM relay_stores WHERE brand = $1 AND id = $2", [brand.toLowerCase(), id]);
  return rows[0] && storeOf(rows[0]);
}

export async function listStores(db: Queryable, brand: Address): Promise<Store[]> {
  const { rows } = await db.query<StoreRow>("SELECT id, brand, name, created_at FROM relay_stores WHERE brand = $1 ORDER BY created_at, id", [
    brand.toLowerCase(),
  ]);
  return rows.map(storeOf);
}

const DEVICE_COLUMNS = "id, brand, store_id, name, public_key, disabled, created_at";

/** The error a device's (id, public key) pair already held by a device of another brand raises. */
const deviceKeyTaken = (id: string) =>
  new RegistryConflictError("device_key_taken", `a device ${id} with this public key is already registered: give each device a key of its own`);

/** Whether `e` is PostgreSQL's unique violation of the (id, public_key) index (migration 120). */
const isDeviceKeyViolation = (e: unknown) => (e as { code?: string; constraint?: string }).code === "23505";

/**
 * Registers a device of one of the brand's stores. Its id is unique within the brand only; its (id,
 * public key) pair is unique on the relay, so a signed device request matches one device at most
 * (`devicesWithId`).
 */
export async function createDevice(db: Queryable, d: { id: string; brand: Address; storeId: string; name: string; publicKey: string }): Promise<Device> {
  const own = await db.query("SELECT 1 FROM relay_devices WHERE brand = $1 AND id = $2", [d.brand.toLowerCase(), d.id]);
  if (own.rows.length > 0) throw new RegistryConflictError("device_exists", `this brand already has a device ${d.id}`);
  try {
    const { rows } = await db.query<DeviceRow>(
      `INSERT INTO relay_devices (id, brand, store_id, name, public_key) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (brand, id) DO NOTHING RETURNING ${DEVICE_COLUMNS}`,
      [d.id, d.brand.toLowerCase(), d.storeId, d.name, d.publicKey],
    );
    if (rows.length === 0) throw new RegistryConflictError("device_exists", `this brand already has a device ${d.id}`);
    return deviceOf(rows[0]!);
  } catch (e) {
    if (isDeviceKeyViolation(e)) throw deviceKeyTaken(d.id);
    throw e;
  }
}

/** A device of `brand`; another brand's device of that id is not found, exactly as a missing one. */
export async function getDevice(db: Queryable, brand: Address, id: string): Promise<Device | undefined> {
  const { rows } = await db.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM relay_devices WHERE brand = $1 AND id = $2`, [brand.toLowerCase(), id]);
  return rows[0] && deviceOf(rows[0]);
}

/**
 * Every device holding this id, one per brand at most (ids are scoped per brand): device authentication
 * verifies the request's signature against each one's key and takes the one it verifies with. Bounded:
 * an id shared by more brands than this is an operator's choice, not something a caller can grow.
 */
export async function devicesWithId(db: Queryable, id: string): Promise<Device[]> {
  const { rows } = await db.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM relay_devices WHERE id = $1 ORDER BY brand LIMIT 16`, [id]);
  return rows.map(deviceOf);
}

export async function listDevices(db: Queryable, brand: Address, storeId?: string): Promise<Device[]> {
  const { rows } = await db.query<DeviceRow>(
    `SELECT ${DEVICE_COLUMNS} FROM relay_devices WHERE brand = $1 AND ($2::text IS NULL OR store_id = $2) ORDER BY created_at, id`,
    [brand.toLowerCase(), storeId ?? null],
  );
  return rows.map(deviceOf);
}

export async function setDeviceDisabled(db: Queryable, brand: Address, id: string, disabled: boolean): Promise<Device | undefined> {
  const { rows } = await db.query<DeviceRow>(
    `UPDATE relay_devices SET disabled = $3, updated_at = now() WHERE id = $1 AND brand = $2 RETURNING ${DEVICE_COLUMNS}`,
    [id, brand.toLowerCase(), disabled],
  );
  return rows[0] && deviceOf(rows[0]);
}

/** Public view of a brand (no salt, no key hash). */
export function publicBrand(b: Brand): Omit<Brand, "receiptSalt" | "disabled"> {
  const { receiptSalt: _salt, disabled: _disabled, ...rest } = b;
  return rest;
}

/** What removing a brand took away from the relay (counts of rows). */
export interface BrandRemoval {
  stores: number;
  devices: number;
  purposes: number;
  webhookEndpoints: number;
  /** Personal data rows kept for this brand: visits, scans, purchases, card links. */
  personalData: number;
  /** Issue and reverse operations still queued or submitted: they go on to the chain. */
  operationsInFlight: number;
}

/**
 * Removes a brand from the relay, in one transaction: its API key (the row), stores, devices (their
 * public keys), purpose descriptions, webhook endpoints and their queued events, the personal data its
 * events produced (visits, scans, purchases, card links) and its device-event answers. Operations already
 * accepted (issuance, reversal, customers' actions) stay in the outbox and are sent: nothing accepted is
 * dropped. What it did on chain stays. Undefined when there is no such brand.
 */
export async function removeBrand(db: Queryable, address: Address): Promise<BrandRemoval | undefined> {
  const b = address.toLowerCase();
  const count = async (sql: string) => Number((await db.query<{ n: string }>(sql, [b])).rows[0]?.n ?? 0);
  const exists = await db.query("SELECT 1 FROM relay_brands WHERE address = $1 FOR UPDATE", [b]);
  if (exists.rows.length === 0) return undefined;
  const operationsInFlight = await count(
    "SELECT count(*) AS n FROM operations WHERE controller = $1 AND kind IN ('issue', 'reverse') AND status IN ('queued', 'submitted')",
  );
  const webhookEndpoints = (await db.query("DELETE FROM webhook_endpoints WHERE brand = $1", [b])).rowCount;
  await db.query("DELETE FROM webhook_events e WHERE e.brand = $1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = e.seq)", [b]);
  let personalData = 0;
  for (const table of ["relay_visits", "relay_scans", "relay_purchases", "relay_card_links"]) {
    personalData += (await db.query(`DELETE FROM ${table} WHERE brand = $1`, [b])).rowCount;
  }
  await db.query("DELETE FROM relay_device_events WHERE brand = $1", [b]);
  const devices = (await db.query("DELETE FROM relay_devices WHERE brand = $1", [b])).rowCount;
  const stores = (await db.query("DELETE FROM relay_stores WHERE brand = $1", [b])).rowCount;
  const purposes = (await db.query("DELETE FROM relay_brand_purposes WHERE brand = $1", [b])).rowCount;
  await db.query("DELETE FROM relay_brands WHERE address = $1", [b]);
  return { stores, devices, purposes, webhookEndpoints, personalData, operationsInFlight };
}

/**
 * Removes a store and its devices (their keys stop working at once). Visits and scans recorded in it stay
 * with the brand (they are the brand's, under the customers' consent). Undefined when the brand has no
 * such store.
 */
export async function removeStore(db: Queryable, brand: Address, id: string): Promise<{ devices: number } | undefined> {
  const b = brand.toLowerCase();
  const store = await db.query("SELECT 1 FROM relay_stores WHERE id = $1 AND brand = $2 FOR UPDATE", [id, b]);
  if (store.rows.length === 0) return undefined;
  const devices = (await db.query("DELETE FROM relay_devices WHERE brand = $1 AND store_id = $2", [b, id])).rowCount;
  await db.query("DELETE FROM relay_stores WHERE brand = $1 AND id = $2", [b, id]);
  return { devices };
}

/** Removes a device (its key stops working at once); false when the brand has no such device. */
export async function removeDevice(db: Queryable, brand: Address, id: string): Promise<boolean> {
  return (await db.query("DELETE FROM relay_devices WHERE id = $1 AND brand = $2", [id, brand.toLowerCase()])).rowCount > 0;
}

/** Gives a device a new public key (the old one stops working at once); undefined when the brand has no such device. */
export async function rotateDeviceKey(db: Queryable, brand: Address, id: string, publicKey: string): Promise<Device | undefined> {
  try {
    const { rows } = await db.query<DeviceRow>(
      `UPDATE relay_devices SET public_key = $3, updated_at = now() WHERE id = $1 AND brand = $2 RETURNING ${DEVICE_COLUMNS}`,
      [id, brand.toLowerCase(), publicKey],
    );
    return rows[0] && deviceOf(rows[0]);
  } catch (e) {
    if (isDeviceKeyViolation(e)) throw deviceKeyTaken(id);
    throw e;
  }
}
