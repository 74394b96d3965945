/**
 * Call arguments as stored in `operations.args` (jsonb): JSON, with each bigint written as
 * `{"$bigint": "<decimal>"}` so that uint256 values survive exactly.
 */
export class ArgsEncodingError extends Error {
  override name = "ArgsEncodingError";
}

function encodeValue(value: unknown): unknown {
  if (typeof value === "bigint") return { $bigint: value.toString() };
  if (Array.isArray(value)) return value.map(encodeValue);
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new ArgsEncodingError(`number ${value} is not a safe integer: pass a bigint`);
    return value;
  }
  if (typeof value === "object" && value.constructor === Object) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeValue(v)]));
  }
  throw new ArgsEncodingError(`cannot store a ${typeof value} argument`);
}

function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === "$bigint" && typeof entries[0]![1] === "string") return BigInt(entries[0]![1]);
    return Object.fromEntries(entries.map(([k, v]) => [k, decodeValue(v)]));
  }
  return value;
}

/** The JSON text to store. */
export function encodeArgs(args: readonly unknown[]): string {
  return JSON.stringify(encodeValue(args));
}

/** Arguments back from the stored JSON (text, or already parsed by the driver). */
export function decodeArgs(stored: unknown): unknown[] {
  const parsed = typeof stored === "string" ? (JSON.parse(stored) as unknown) : stored;
  if (!Array.isArray(parsed)) throw new ArgsEncodingError("stored arguments are not an array");
  return decodeValue(parsed) as unknown[];
}
