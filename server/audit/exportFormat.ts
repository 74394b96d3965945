import { stringify } from "csv-stringify/sync";
import { csvRow, CSV_COLUMNS, type ExportRecord } from "../../client/audit/exportFormat";

/** The export format lives in the client module (client/audit/exportFormat.ts); writing CSV stays here (csv-stringify is Node's). */
export * from "../../client/audit/exportFormat";

/** The CSV export of `records`, with the header line unless `header` is false (the audit API's later pages). */
export function toCsv(records: readonly ExportRecord[], header = true): string {
  return stringify(records.map(csvRow), { header, columns: header ? [...CSV_COLUMNS] : undefined });
}
