import type { Address } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import type { RelayDeps } from "../deps";
import { chainCall } from "../http/chainCall";
import { chainNow } from "../chain/clock";

/** A balance that may be expired soon. */
export interface ExpiringBalance {
  customer: string;
  balance: string;
  /** Unix seconds from which `expire(customer)` may burn it. */
  expiresAt: number;
}

const MAX_CANDIDATES = 1000;

/**
 * The balances of the brand's customers (those it issued points to, as indexed) that may be expired
 * within `days`: each one's `lastActivity` (pause time excluded) plus the period in force, read from the
 * chain; soonest first. Empty when no expiry period is in force.
 */
export async function expiringBalances(deps: Pick<RelayDeps, "db" | "chain">, brand: Address, days: number): Promise<{ expiryPeriod: number; balances: ExpiringBalance[] }> {
  const { client, deployment } = deps.chain;
  const read = <T>(functionName: string, args: unknown[] = []) => client.readContract({ address: deployment.points, abi: coalitionPointsAbi, functionName, args } as never) as Promise<T>;
  const [period, now] = await chainCall("the expiry period", () => Promise.all([read<number | bigint>("expiryPeriod").then(Number), chainNow(client).then(Number)]));
  if (period === 0) return { expiryPeriod: 0, balances: [] };
  const { rows } = await deps.db.query<{ customer: string; balance: string }>(
    `SELECT b.customer, b.balance::text AS balance FROM points_balances b
      WHERE b.balance > 0 AND EXISTS (SELECT 1 FROM points_events e WHERE e.kind = 'issued' AND e.brand = $1 AND e.customer = b.customer)
      ORDER BY b.last_activity, b.customer LIMIT ${MAX_CANDIDATES}`,
    [brand],
  );
  const last = await chainCall("the customers' last activity", () => Promise.all(rows.map((r) => read<number | bigint>("lastActivity", [r.customer]).then(Number))));
  const horizon = now + days * 86_400;
  const balances = rows
    .map((r, i) => ({ customer: r.customer, balance: r.balance, expiresAt: last[i]! + period }))
    .filter((b) => b.expiresAt <= horizon)
    .sort((a, b) => a.expiresAt - b.expiresAt || a.customer.localeCompare(b.customer));
  return { expiryPeriod: period, balances };
}
