import type { ReportDocument, ReportValue } from "./reportDocument";

/**
 * A report document as Markdown (for a ticket, a wiki, a diff) or as a self-contained HTML page with a
 * print style sheet (open it and print to PDF). The CLI's `--report FILE` picks by the file's extension.
 */
export function reportMarkdown(doc: ReportDocument): string {
  const value = (v: ReportValue) => (typeof v === "string" ? v : `[${v.text}](${v.href})`);
  const cell = (v: ReportValue) => value(v).replaceAll("|", "\\|");
  const out = [`# ${doc.title}`, "", `**${doc.result}**`, ""];
  for (const s of doc.sections) {
    out.push(`## ${s.heading}`, "");
    if (s.facts?.length) {
      out.push("| | |", "|---|---|", ...s.facts.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`), "");
    }
    if (s.table) {
      out.push(`| ${s.table.columns.join(" | ")} |`, `|${s.table.columns.map(() => "---").join("|")}|`);
      out.push(...s.table.rows.map((row) => `| ${row.map(cell).join(" | ")} |`), "");
    }
    if (s.lines?.length) out.push(...s.lines.map((l) => `- ${l}`), "");
  }
  return out.join("\n");
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const html = (v: ReportValue) => (typeof v === "string" ? escape(v) : `<a href="${escape(v.href)}">${escape(v.text)}</a>`);

/** The print style sheet of the HTML report (the auditor's page prints its report with the same rules). */
export const REPORT_CSS = `body{font:11pt/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#17212b;max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.5rem;border-bottom:1px solid #d3d9de}
.result{font-weight:700;padding:.5rem .75rem;border-radius:6px}.ok{background:#e7f4ec;color:#1d6b3a}.fail{background:#fbeceb;color:#a3261c}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d3d9de;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere;font-size:.9em}
th{background:#f1f3f5}a{color:#1f4e5f}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}a{color:inherit;text-decoration:none}}`;

export function reportHtml(doc: ReportDocument): string {
  const out = [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escape(doc.title)}</title>`,
    `<style>${REPORT_CSS}</style></head><body>`,
    `<h1>${escape(doc.title)}</h1>`,
    `<p class="result ${doc.ok ? "ok" : "fail"}">${escape(doc.result)}</p>`,
  ];
  for (const s of doc.sections) {
    out.push(`<h2>${escape(s.heading)}</h2>`);
    if (s.facts?.length) out.push(`<table><tbody>${s.facts.map(([k, v]) => `<tr><th scope="row">${escape(k)}</th><td>${html(v)}</td></tr>`).join("")}</tbody></table>`);
    if (s.table) {
      out.push(
        `<table><thead><tr>${s.table.columns.map((c) => `<th scope="col">${escape(c)}</th>`).join("")}</tr></thead><tbody>` +
          s.table.rows.map((row) => `<tr>${row.map((v) => `<td>${html(v)}</td>`).join("")}</tr>`).join("") +
          "</tbody></table>",
      );
    }
    if (s.lines?.length) out.push(`<ul>${s.lines.map((l) => `<li>${escape(l)}</li>`).join("")}</ul>`);
  }
  out.push("</body></html>", "");
  return out.join("\n");
}
