/**
 * What both drivers and both PGlite modes (in the relay's thread or in its worker) share of the value
 * types: int8 arrives as a `number` and is refused past 2^53 with a DatabaseError.
 */
export class DatabaseError extends Error {
  override name = "DatabaseError";
}

/** PostgreSQL's type oid of int8 (bigint, count(*), sum of ints...). */
export const INT8 = 20;

export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new DatabaseError(`int8 value ${value} is beyond 2^53; store it as numeric`);
  return n;
}
