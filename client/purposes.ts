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

/** A purpose given as its 0x id or as its short name ("loyalty"), as lower-case hex id. */
export function resolvePurpose(input: string): Hex {
  return /^0x[0-9a-fA-F]{64}$/.test(input) ? (input.toLowerCase() as Hex) : purposeId(input);
}
