/**
 * Notice documents: the schema of what a customer reads before granting a purpose, its canonical encoding and
 * hash (the `noticeHash` on chain), and fetching and uploading them at a relay. No Node-only code: the web
 * app and the auditor's page use it as the scripts and the relay do.
 */
export {
  CONTROLLER_CATEGORY_BITS,
  LEGAL_BASES,
  NOTICE_CATEGORY_NAMES,
  RECIPIENT_ROLES,
  TRANSFER_SAFEGUARDS,
  localizedTextSchema,
  noticeSchema,
  type LegalBasis,
  type LocalizedText,
  type Notice,
  type NoticeCategoryName,
} from "./schema";
export { canonicalJson, noticeHash } from "./canonical";
export { noticeCategoryBitmap, noticeIssues, parseNotice } from "./parse";
export { noticeJsonSchema } from "./jsonSchema";
export { fetchNotice, uploadNotice, type FetchNoticeParameters, type FetchNoticeReturnType, type UploadNoticeParameters, type UploadNoticeReturnType } from "./relay";
export { InvalidNoticeError, NoticeRelayError } from "./errors";
