/** A figure measured over several runs: the median and the spread (min-max) of the per-run values. */
export interface Figure {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function figure(runs: readonly number[]): Figure {
  const sorted = [...runs].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, runs: [...runs] };
}

/** p-th percentile (0-100) of raw samples. */
export function percentile(samples: readonly number[], p: number): number {
  return quantile([...samples].sort((a, b) => a - b), p / 100);
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "1,234 (1,100-1,300)" */
export function fmtFigure(f: Figure, digits = 0): string {
  return `${fmt(f.median, digits)} (${fmt(f.min, digits)}-${fmt(f.max, digits)})`;
}
