import type { HistoryRecord } from "./historyChain";
import { ACTION_NAMES } from "./historyChain";

/**
 * Locates the differences between an export and the history read from the chain. Records are matched by
 * their hashed content (action, subject, purpose, categories, expiry, notice, actor, time); the matched
 * records that keep chain order (a longest increasing run) anchor the comparison; a matched record out of
 * that order was moved; between two anchors, unmatched export and chain records are paired in order as
 * altered (with the fields that differ), and what is left over was inserted (export only) or omitted
 * (chain only). Positions are 1-based places in the export; `seq` is the record's place on chain.
 */
export type Discrepancy =
  | { kind: "omitted"; position: number; seq: number; chain: HistoryRecord }
  | { kind: "inserted"; position: number; exported: HistoryRecord }
  | { kind: "altered"; position: number; seq: number; fields: FieldDifference[] }
  | { kind: "moved"; position: number; seq: number; expectedPosition: number };

export interface FieldDifference {
  field: HashedField;
  exported: string;
  chain: string;
}

const HASHED_FIELDS = ["action", "subject", "purpose", "categories", "expiresAt", "noticeHash", "actor", "timestamp"] as const;
type HashedField = (typeof HASHED_FIELDS)[number];

function fieldText(r: HistoryRecord, f: HashedField): string {
  if (f === "action") return ACTION_NAMES[r.action] ?? String(r.action);
  const v = r[f];
  return typeof v === "string" ? v.toLowerCase() : String(v);
}

function contentKey(r: HistoryRecord): string {
  return HASHED_FIELDS.map((f) => fieldText(r, f)).join("|");
}

export function compareExport(chain: readonly HistoryRecord[], exported: readonly HistoryRecord[]): Discrepancy[] {
  const byKey = new Map<string, number[]>();
  chain.forEach((r, j) => {
    const k = contentKey(r);
    const list = byKey.get(k);
    if (list) list.push(j);
    else byKey.set(k, [j]);
  });
  const match: number[] = exported.map((r) => byKey.get(contentKey(r))?.shift() ?? -1);
  const chainMatched = new Set(match.filter((j) => j >= 0));

  const matchedPositions = match.map((j, i) => (j >= 0 ? i : -1)).filter((i) => i >= 0);
  const anchors = new Set(longestIncreasing(matchedPositions.map((i) => match[i])).map((k) => matchedPositions[k]));

  const out: Discrepancy[] = [];
  const seqOf = (j: number) => Number(chain[j].seq);
  for (const i of matchedPositions) {
    if (!anchors.has(i)) out.push({ kind: "moved", position: i + 1, seq: seqOf(match[i]), expectedPosition: match[i] + 1 });
  }

  // Walk the gaps between consecutive anchors (with virtual anchors before the start and after the end).
  const anchorList = [...anchors].sort((a, b) => a - b);
  const bounds: [number, number][] = [[-1, -1], ...anchorList.map((i) => [i, match[i]] as [number, number]), [exported.length, chain.length]];
  for (let b = 0; b + 1 < bounds.length; b++) {
    const [i0, j0] = bounds[b];
    const [i1, j1] = bounds[b + 1];
    const exps: number[] = [];
    for (let i = i0 + 1; i < i1; i++) if (match[i] < 0) exps.push(i);
    const chs: number[] = [];
    for (let j = j0 + 1; j < j1; j++) if (!chainMatched.has(j)) chs.push(j);
    const pairs = Math.min(exps.length, chs.length);
    for (let k = 0; k < pairs; k++) {
      const e = exported[exps[k]];
      const c = chain[chs[k]];
      const fields = HASHED_FIELDS.filter((f) => fieldText(e, f) !== fieldText(c, f)).map((f) => ({
        field: f,
        exported: fieldText(e, f),
        chain: fieldText(c, f),
      }));
      out.push({ kind: "altered", position: exps[k] + 1, seq: seqOf(chs[k]), fields });
    }
    for (let k = pairs; k < exps.length; k++) out.push({ kind: "inserted", position: exps[k] + 1, exported: exported[exps[k]] });
    // The k-th chain record of the gap belongs at export position (previous anchor's position) + 1 + k.
    for (let k = pairs; k < chs.length; k++) {
      out.push({ kind: "omitted", position: i0 + 2 + k, seq: seqOf(chs[k]), chain: chain[chs[k]] });
    }
  }
  return out.sort((a, b) => a.position - b.position || kindOrder(a) - kindOrder(b));
}

function kindOrder(d: Discrepancy): number {
  return ["omitted", "altered", "moved", "inserted"].indexOf(d.kind);
}

/** Indices (into `xs`) of one longest strictly increasing subsequence, O(n log n). */
function longestIncreasing(xs: readonly number[]): number[] {
  const tails: number[] = [];
  const prev: number[] = new Array(xs.length).fill(-1);
  for (let i = 0; i < xs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[tails[mid]] < xs[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const out: number[] = [];
  for (let k = tails.length ? tails[tails.length - 1] : -1; k >= 0; k = prev[k]) out.push(k);
  return out.reverse();
}

/** One line per discrepancy, for people. */
export function describeDiscrepancy(d: Discrepancy): string {
  switch (d.kind) {
    case "omitted":
      return `position ${d.position}: chain record seq ${d.seq} (${ACTION_NAMES[d.chain.action]} by ${d.chain.subject} at ${d.chain.timestamp}${d.chain.txHash ? `, tx ${d.chain.txHash}` : ""}) is missing from the export`;
    case "inserted":
      return `position ${d.position}: ${ACTION_NAMES[d.exported.action]} by ${d.exported.subject} at ${d.exported.timestamp} is not on chain (inserted)`;
    case "altered":
      return `position ${d.position}: chain record seq ${d.seq} was altered: ${d.fields.map((f) => `${f.field} ${f.exported} (chain ${f.chain})`).join(", ")}`;
    case "moved":
      return `position ${d.position}: chain record seq ${d.seq} was moved (belongs at position ${d.expectedPosition})`;
  }
}
