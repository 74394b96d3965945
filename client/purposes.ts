import { keccak256, toBytes, type Hex } from "viem";

/** Purpose id of a short name: keccak256 of its UTF-8 bytes, lower-case hex (as ConsentLedger and the index hold it). */
export function purposeId(name: string): Hex {
  return keccak256(toBytes(name)).toLowerCase() as Hex;
}

/** The purposes the relay's device events need (docs/consent.md). */
export const PURPOSES = {
  inStoreRecognition: purposeId("in-store-recognition"),
  loyalty: purposeId("loyalty"),
  shoppingList: purposeId("shopping-list"),
} as const;

/** The purpose names every Confiance app knows (with labels in client/labels). */
export const KNOWN_PURPOSES = ["in-store-recognition", "loyalty", "shopping-list"] as const;
export type KnownPurposeName = (typeof KNOWN_PURPOSES)[number];

const KNOWN_BY_ID = new Map<string, KnownPurposeName>(KNOWN_PURPOSES.map((name) => [purposeId(name), name]));

/** A purpose given as its 0x id or as its short name ("loyalty"), as lower-case hex id. */
export function resolvePurpose(input: string): Hex {
  return /^0x[0-9a-fA-F]{64}$/.test(input) ? (input.toLowerCase() as Hex) : purposeId(input);
}

export type PurposeNameParameters = {
  /** The bytes32 purpose id, any case. */
  id: string;
  /** Purposes learnt from discovery (`getBrands`: each brand's `purposes`), which name a brand's own purposes. */
  purposes?: readonly { id: string; name: string | null }[] | undefined;
};

/**
 * The name of a purpose id: a brand's own name for it when `purposes` (from discovery) holds it, else a
 * known name; undefined when neither knows it.
 *
 * @example purposeName({ id: PURPOSES.loyalty }) // "loyalty"
 */
export function purposeName({ id, purposes }: PurposeNameParameters): string | undefined {
  const key = id.toLowerCase();
  const discovered = purposes?.find((p) => p.id.toLowerCase() === key && p.name)?.name;
  return discovered ?? KNOWN_BY_ID.get(key);
}
