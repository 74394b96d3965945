/**
 * The end of the chosen day (`yyyy-mm-dd`, the reader's time zone) as unix time, or undefined when it
 * is not a date after `now`.
 */
export function endOfDay(day: string, now = Date.now()): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59).getTime();
  return Number.isNaN(end) || end <= now ? undefined : Math.floor(end / 1000);
}
