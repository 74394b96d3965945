/**
 * The retry schedule: after the n-th failed attempt (n >= 1) the next one waits
 * `min(max, base * 2^(n-1))`, of which the first half is fixed and the second half random ("equal
 * jitter"), so endpoints that failed together do not all come back at the same instant. A delivery is
 * given up after `maxAttempts` attempts, or when an attempt fails once it is `maxAgeMs` old.
 */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
  maxAgeMs: number;
}

/** The nominal wait (before jitter) after `attempts` failed attempts. */
export function nominalDelayMs(attempts: number, p: Pick<RetryPolicy, "baseMs" | "maxMs">): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 40);
  return Math.min(p.maxMs, p.baseMs * 2 ** exponent);
}

/** The wait before the next attempt, jittered: between half the nominal wait and all of it. */
export function retryDelayMs(attempts: number, p: Pick<RetryPolicy, "baseMs" | "maxMs">, random: () => number = Math.random): number {
  const nominal = nominalDelayMs(attempts, p);
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}

/** Whether a delivery that just failed its `attempts`-th attempt, `ageMs` after it was queued, is given up. */
export function givesUp(attempts: number, ageMs: number, p: Pick<RetryPolicy, "maxAttempts" | "maxAgeMs">): boolean {
  return attempts >= p.maxAttempts || ageMs >= p.maxAgeMs;
}
