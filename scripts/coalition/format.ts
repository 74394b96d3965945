import { formatUnits } from "viem";
import type { Settlement } from "./context";

/** An amount of the settlement asset in its own units: "1000 mUSD", "0.01 mUSD". */
export function formatAmount(units: bigint, settlement: Settlement): string {
  return `${formatUnits(units, settlement.decimals)} ${settlement.symbol}`;
}

/** An expiry period: "never", "2592000 s (30 days)", "90000 s (1.04 days)". */
export function formatPeriod(seconds: number): string {
  if (seconds === 0) return "never";
  const days = seconds / 86_400;
  return `${seconds} s (${Number.isInteger(days) ? days : days.toFixed(2)} day${days === 1 ? "" : "s"})`;
}

/** A unix time as ISO 8601 UTC without milliseconds. */
export function formatTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

export const yesNo = (b: boolean) => (b ? "yes" : "no");
