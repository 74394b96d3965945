import fs from "node:fs";

/** One measured action: the gas a transaction used, as reported by its receipt. */
export interface GasRow {
  action: string;
  gas: bigint;
  /** What it writes and why, in a few words. */
  note?: string;
}

/** A named block of rows; `docs/gas.md` holds it between `<!-- gas:NAME -->` and `<!-- /gas:NAME -->`. */
export interface GasSection {
  name: string;
  rows: GasRow[];
}

export function renderTable(rows: GasRow[]): string {
  const lines = ["| action | gas | writes / note |", "|---|---:|---|"];
  for (const r of rows) lines.push(`| ${r.action} | ${r.gas.toLocaleString("en-US")} | ${r.note ?? ""} |`);
  return lines.join("\n");
}

/** Replaces each section's table in the markdown file, leaving the prose around it untouched. */
export function writeSections(file: string, sections: GasSection[]): void {
  let text = fs.readFileSync(file, "utf8");
  for (const s of sections) {
    const start = `<!-- gas:${s.name} -->`;
    const end = `<!-- /gas:${s.name} -->`;
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error(`${file} has no ${start} ... ${end} block`);
    text = text.slice(0, i + start.length) + "\n" + renderTable(s.rows) + "\n" + text.slice(j);
  }
  fs.writeFileSync(file, text);
}
