import { InvalidCategoriesError, UnknownCategoryError } from "./errors/names";

/**
 * The data categories of a consent: a uint64 bitmap, bit assignment as in docs/consent.md ("Data
 * categories"). Bits 9-47 are reserved for future shared categories, 48-63 are the controller's own
 * (their meaning is in its notice); those unnamed bits are written `bit-N`.
 */
export const CATEGORY_BITS = {
  identity: 0,
  contact: 1,
  "purchase-history": 2,
  location: 3,
  "device-identifiers": 4,
  preferences: 5,
  payment: 6,
  demographics: 7,
  "loyalty-account": 8,
} as const;

export type KnownCategoryName = keyof typeof CATEGORY_BITS;
/** A category by name, or an unnamed bit as `bit-N` (N = 0-63). */
export type CategoryName = KnownCategoryName | `bit-${number}`;

const NAME_OF_BIT: readonly (KnownCategoryName | undefined)[] = Array.from({ length: 64 }, (_, bit) =>
  (Object.keys(CATEGORY_BITS) as KnownCategoryName[]).find((name) => CATEGORY_BITS[name] === bit),
);
const MAX = (1n << 64n) - 1n;

export type CategoryNamesErrorType = InvalidCategoriesError;

/**
 * The names of the categories set in a bitmap, lowest bit first.
 *
 * @example categoryNames(5n) // ["identity", "purchase-history"]
 */
export function categoryNames(bitmap: bigint): CategoryName[] {
  if (bitmap < 0n || bitmap > MAX) throw new InvalidCategoriesError({ value: bitmap });
  const out: CategoryName[] = [];
  for (let bit = 0; bit < 64; bit++) if ((bitmap >> BigInt(bit)) & 1n) out.push(NAME_OF_BIT[bit] ?? `bit-${bit}`);
  return out;
}

export type CategoryBitmapErrorType = UnknownCategoryError;

/**
 * The bitmap of a list of category names (`bit-N` for an unnamed bit).
 *
 * @example categoryBitmap(["identity", "location"]) // 9n
 */
export function categoryBitmap(names: readonly string[]): bigint {
  let bitmap = 0n;
  for (const name of names) bitmap |= 1n << BigInt(categoryBit(name));
  return bitmap;
}

/** The bit of one category name; throws UnknownCategoryError. */
export function categoryBit(name: string): number {
  if (Object.hasOwn(CATEGORY_BITS, name)) return CATEGORY_BITS[name as KnownCategoryName];
  const m = /^bit-(\d{1,2})$/.exec(name);
  if (m && Number(m[1]) < 64 && String(Number(m[1])) === m[1]) return Number(m[1]);
  throw new UnknownCategoryError({ category: name });
}
