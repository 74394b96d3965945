import { keccak256, stringToBytes, type Hex } from "viem";
import type { Notice } from "./schema";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function canonicalString(s: string): string {
  if (LONE_SURROGATE.test(s)) throw new TypeError("a string with a lone UTF-16 surrogate has no canonical JSON encoding");
  return JSON.stringify(s);
}

/**
 * The RFC 8785 JSON Canonicalization Scheme (JCS) encoding of a JSON value: object members sorted by their
 * names' UTF-16 code units, no whitespace, strings and numbers serialised as ECMAScript's JSON.stringify does
 * (which is what the RFC specifies). Two documents with the same content, however they were indented or
 * ordered, encode the same. Refuses what I-JSON has no room for: NaN, infinities, lone surrogates, and
 * anything that is not a plain JSON value (a bigint, a Date, undefined in an array). An object member whose
 * value is undefined is left out, as JSON.stringify leaves it out.
 *
 * @example canonicalJson({ b: 1, a: [true, "é"] }) // '{"a":[true,"é"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return canonicalString(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON encoding`);
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(",")}]`;
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new TypeError(`a ${proto?.constructor?.name ?? "non-plain"} object has no canonical JSON encoding`);
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .sort()
        .filter((k) => record[k] !== undefined)
        .map((k) => `${canonicalString(k)}:${canonicalJson(record[k])}`);
      return `{${members.join(",")}}`;
    }
    default:
      throw new TypeError(`a ${typeof value} has no JSON encoding`);
  }
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
