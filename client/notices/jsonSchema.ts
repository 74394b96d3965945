import { z } from "zod";
import { noticeSchema } from "./schema";

/** The notice schema as a JSON Schema (draft 2020-12): what docs/notice.schema.json holds. */
export function noticeJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(noticeSchema, { target: "draft-2020-12", io: "input" }) as Record<string, unknown>;
}
