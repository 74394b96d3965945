/**
 * A CSV reader for the history export (RFC 4180: comma-separated, fields optionally in double quotes with
 * `""` for a quote inside, CRLF or LF line ends), in plain TypeScript so that the auditor's page parses an
 * export in the browser exactly as the CLI does. (csv-parse needs Node's Buffer; its browser build carries a
 * 120 kB Buffer polyfill.) Test: test/audit/csv.test.ts reads back what csv-stringify, which writes the
 * exports on the server, writes, over random fields.
 */

/** Thrown for a quote that is never closed or text after a closing quote. */
export class CsvSyntaxError extends Error {
  override name = "CsvSyntaxError";
}

const UNQUOTED = /[^,\r\n]*/y;

/** The rows of `text`, each an array of fields; blank lines are skipped. */
export function readCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let line = 1;
  const endField = () => {
    row.push(field);
    field = "";
  };
  const endRow = () => {
    endField();
    if (row.length > 1 || row[0] !== "") rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === "") {
      // A quoted field: up to the closing quote, "" standing for one quote.
      let j = i + 1;
      let value = "";
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new CsvSyntaxError(`line ${line}: a quoted field is never closed`);
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      line += value.split("\n").length - 1;
      field = value;
      i = j;
      const next = text[i];
      if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") throw new CsvSyntaxError(`line ${line}: text after a closing quote`);
      continue;
    }
    if (c === ",") endField();
    else if (c === "\n" || c === "\r") {
      endRow();
      if (c === "\r" && text[i + 1] === "\n") i++;
      line++;
    } else {
      UNQUOTED.lastIndex = i;
      field += UNQUOTED.exec(text)![0];
      i = UNQUOTED.lastIndex;
      continue;
    }
    i++;
  }
  if (field !== "" || row.length > 0) endRow();
  return rows;
}

/** Rows as objects keyed by the header line's names (trimmed); rows repeating the header are skipped. */
export function readCsvRecords(text: string): Record<string, string>[] {
  const rows = readCsvRows(text.replace(/^\uFEFF/, ""));
  const header = rows.shift()?.map((h) => h.trim());
  if (!header) return [];
  const out: Record<string, string>[] = [];
  for (const row of rows) {
    if (row.length === header.length && row.every((v, k) => v.trim() === header[k])) continue;
    if (row.length !== header.length) throw new CsvSyntaxError(`a row has ${row.length} fields, the header ${header.length}`);
    out.push(Object.fromEntries(header.map((h, k) => [h, row[k].trim()])));
  }
  return out;
}
