import canonicalize from "canonicalize";
import { keccak256, stringToBytes, type Hex } from "viem";
import type { Notice } from "./schema";

/**
 * The RFC 8785 JSON Canonicalization Scheme (JCS) encoding of a JSON value: object members sorted by their
 * names' UTF-16 code units, no whitespace, strings and numbers serialised as ECMAScript's JSON.stringify
 * does. Two documents with the same content, however they were indented or ordered, encode the same.
 *
 * @example canonicalJson({ b: 1, a: [true, "é"] }) // '{"a":[true,"é"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) throw new TypeError("the value has no JSON encoding");
  return out;
}

/**
 * A notice's hash as ConsentLedger holds it: keccak-256 of the UTF-8 bytes of its canonical JSON
 * (lower-case 0x hex). Validate the document first (`parseNotice`): the hash of an invalid one means nothing.
 *
 * @example noticeHash(parseNotice(JSON.parse(text))) // "0x5c1f…"
 */
export function noticeHash(notice: Notice): Hex {
  return keccak256(stringToBytes(canonicalJson(notice)));
}
