/**
 * The auditor's verification, shared by the CLI (`npm run audit`), the relay's audit API and the auditor's
 * page: pure functions over viem, for Node and browsers. docs/audit.md describes each check.
 */
export { nextHead, recomputeHead, firstBrokenLink, recordsFromLogs, HistoryAction, type HistoryRecord, type HistoryLink, type ConsentEventLog } from "./historyChain";
export { verifyHistory, summarize, type HistorySummary, type HistoryVerification } from "./verify";
export { compareExport, describeDiscrepancy, type Discrepancy, type FieldDifference } from "./compareExport";
export { consentAt, type ConsentAtAnswer } from "./consentAt";
export { foldConsents, isActiveAt, type ConsentFold } from "./consentFold";
export {
  parseExport,
  toExportRecord,
  fromExportRecord,
  toJsonExport,
  csvRow,
  ExportFormatError,
  ACTION_NAMES,
  CSV_COLUMNS,
  type ActionName,
  type ExportRecord,
} from "./exportFormat";
export { readCsvRows, readCsvRecords, CsvSyntaxError } from "./csv";
export { fetchControllerHistory, blockTimestamps, HISTORY_TOPICS, type ChainHistory, type FetchHistoryOptions } from "./chainHistory";
export { listControllers, type ControllerSeen } from "./listControllers";
export { AdaptiveRange, Backoff, classifyRpcError, forEachRange, getLogsInRanges, RpcGaveUpError, type RpcErrorKind } from "./rpcRange";
export { describeEndpoint, EndpointError } from "./endpoint";
export {
  runAudit,
  auditHistory,
  checkExport,
  consentAtQuery,
  auditClient,
  parseTime,
  reportJson,
  AuditInputError,
  type AuditOptions,
  type AuditReport,
  type ConsentQuery,
  type ExportCheck,
} from "./auditor";
export {
  auditReportDocument,
  receiptReportDocument,
  explorerTxUrl,
  txText,
  REPORT_LIST_LIMIT,
  type ReportDocument,
  type ReportNames,
  type ReportSection,
  type ReportValue,
} from "./reportDocument";
export { reportHtml, reportMarkdown, REPORT_CSS } from "./reportRender";
export * from "../receipts";
