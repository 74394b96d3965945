import { keccak256, toBytes, type Hex } from "viem";

/** Purpose id of a short name: keccak256 of its UTF-8 bytes, lower-case hex (as ConsentLedger and the index hold it). */
export function purposeId(name: string): Hex {
  return keccak256(toBytes(name)).toLowerCase() as Hex;
}

export const PURPOSES = {
  inStoreRecognition: purposeId("in-store-recognition"),
  loyalty: purposeId("loyalty"),
  shoppingList: purposeId("shopping-list"),
} as const;

export type DeviceEventKind = "presence" | "purchase" | "return" | "scan";

/**
 * The purpose each device event needs the customer to have granted to the brand. A `return` needs none:
 * it only reverses points that a purchase earned under the loyalty consent in force then, for the
 * customer that purchase recorded, and processes nothing new about them. Gating it would let a customer
 * revoke loyalty and keep the points of goods they brought back.
 */
export const PURPOSE_OF_EVENT: Record<DeviceEventKind, { name: string; id: Hex } | null> = {
  presence: { name: "in-store-recognition", id: PURPOSES.inStoreRecognition },
  purchase: { name: "loyalty", id: PURPOSES.loyalty },
  return: null,
  scan: { name: "shopping-list", id: PURPOSES.shoppingList },
};

/** A purpose given as its 0x id or as its short name ("loyalty"), as lower-case hex id. */
export function resolvePurpose(input: string): Hex {
  return /^0x[0-9a-fA-F]{64}$/.test(input) ? (input.toLowerCase() as Hex) : purposeId(input);
}
