export {
  consentReceiptSchema,
  parseReceipt,
  receiptTime,
  InvalidReceiptError,
  COLLECTION_METHODS,
  RECEIPT_EVENTS,
  RECEIPT_VERSION,
  type CollectionMethod,
  type ConsentReceipt,
  type ReceiptEventType,
} from "./schema";
export { receiptFromRecord, type ReceiptFromRecordParameters } from "./receiptFromRecord";
export { verifyReceipt, type PreviousHeadSource, type ReceiptCheck, type VerifyReceiptParameters, type VerifyReceiptReturnType } from "./verifyReceipt";
