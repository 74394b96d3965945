import { isAddress, isHex, keccak256, toBytes, type Address, type Hex } from "viem";

/**
 * The till's QR code: a link to the wallet room with the redemption filled in,
 *
 *     https://<relay>/?redeem=<brand address>&order=<order reference>[&points=<whole points>]
 *
 * `order` is the till's order reference (1-128 printable characters, URL-encoded): the app signs
 * keccak256 of its UTF-8 bytes as the Redeem's `orderRef`, or the value itself when it is already a
 * 0x-prefixed 32-byte hex. `points`, when present, is what the till asks for; the customer may change it.
 * docs/web.md describes it for brands printing the code.
 */
export type TillRequest = { brand: Address; order: string; points?: bigint };

/** The redemption a till's URL (or the page's own query string) asks for; undefined when it is not one. */
export function parseTillUrl(text: string, base = "http://localhost/"): TillRequest | undefined {
  let url: URL;
  try {
    url = new URL(text.trim(), base);
  } catch {
    return undefined;
  }
  const brand = url.searchParams.get("redeem");
  const order = url.searchParams.get("order");
  const points = url.searchParams.get("points");
  if (!brand || !isAddress(brand, { strict: false }) || !order || !isOrderReference(order)) return undefined;
  if (points !== null && !/^[1-9]\d{0,17}$/.test(points)) return undefined;
  return { brand: brand.toLowerCase() as Address, order, ...(points === null ? {} : { points: BigInt(points) }) };
}

/** 1-128 printable characters. */
export function isOrderReference(order: string): boolean {
  return order.length >= 1 && order.length <= 128 && /^[\x20-\x7e]+$/.test(order) && order.trim() === order;
}

/** The bytes32 `orderRef` a Redeem carries for an order reference. */
export function orderRefOf(order: string): Hex {
  return isHex(order) && order.length === 66 ? (order.toLowerCase() as Hex) : keccak256(toBytes(order));
}
