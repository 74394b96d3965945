import type { z } from "zod";
import { InvalidNoticeError } from "./errors";
import { NOTICE_CATEGORY_NAMES, noticeSchema, type Notice } from "./schema";

/** Where an issue is, as a reader writes it: `purpose.title.en`, `categories[2]`, or `(document)`. */
function where(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `${out ? "." : ""}${String(p)}`;
  return out || "(document)";
}

/** An issue's message in the words of the notice's author. */
function say(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return /received undefined$/.test(issue.message) ? `missing (expected ${issue.expected === "object" ? "an object" : `a ${issue.expected}`})` : issue.message;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (not in the notice schema)`;
    case "invalid_key":
      return `"${String(issue.path[issue.path.length - 1])}" is not allowed here: ${issue.issues[0]?.message ?? issue.message}`;
    default:
      return issue.message;
  }
}

/** One sentence per problem of a zod failure of the notice schema, each naming the field. */
export function noticeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${where(issue.path)}: ${say(issue)}`);
}

/**
 * Checks a parsed JSON value against the notice schema and returns it typed, unchanged (the schema has no
 * defaults or transforms, so the hash of the result is the hash of what was given).
 * Throws InvalidNoticeError, whose `issues` name every problem.
 *
 * @example parseNotice(JSON.parse(fs.readFileSync("loyalty.json", "utf8")))
 */
export function parseNotice(value: unknown): Notice {
  const r = noticeSchema.safeParse(value);
  if (!r.success) throw new InvalidNoticeError(noticeIssues(r.error));
  return r.data;
}

/**
 * The ledger's `categories` bitmap of the categories a notice names: the most a grant under it should set.
 *
 * @example noticeCategoryBitmap(notice) // 0x18n for ["location", "device-identifiers"]
 */
export function noticeCategoryBitmap(notice: Notice): bigint {
  let bitmap = 0n;
  for (const c of notice.categories) {
    const bit = typeof c === "string" ? NOTICE_CATEGORY_NAMES.indexOf(c) : c.bit;
    bitmap |= 1n << BigInt(bit);
  }
  return bitmap;
}
