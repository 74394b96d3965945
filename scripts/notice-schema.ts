/**
 * `npm run notice-schema`: writes docs/notice.schema.json, the JSON Schema of notice documents, from the zod
 * schema in client/notices/schema.ts (test/notices/notices.test.ts fails when the file is stale).
 */
import fs from "node:fs";
import path from "node:path";
import { noticeJsonSchema } from "../client/notices/jsonSchema";
import { helpFromDocComment } from "./lib/usage";

export const NOTICE_SCHEMA_FILE = path.join(__dirname, "..", "docs", "notice.schema.json");

export function renderNoticeSchema(): string {
  return JSON.stringify(noticeJsonSchema(), null, 2) + "\n";
}

if (require.main === module) {
  helpFromDocComment(__filename);
  fs.writeFileSync(NOTICE_SCHEMA_FILE, renderNoticeSchema());
  console.log(`wrote ${path.relative(process.cwd(), NOTICE_SCHEMA_FILE)}`);
}
