import type { Address } from "viem";
import { Counter, type Registry } from "prom-client";
import type { Queryable } from "../store/db";

/**
 * What the relay's keys pay: each final transaction's fee (gas used x effective gas price) is stored on
 * its row and counted in `relay_signer_spend_wei_total{signer}`; `spentToday` adds up the last 24 hours
 * of a key, for SIGNER_DAILY_SPEND_LIMIT_WEI.
 */
export function createSpendMetric(registry: Registry): Counter<"signer"> {
  const name = "relay_signer_spend_wei_total";
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<"signer">;
  return new Counter({ name, help: "fees paid by each relay key for its final transactions, in wei", labelNames: ["signer"], registers: [registry] });
}

/** Fees paid by `signer` for transactions made final in the last 24 hours. */
export async function spentToday(db: Queryable, chainId: number, signer: Address): Promise<bigint> {
  const r = await db.query<{ total: string | null }>(
    `SELECT sum(fee_paid)::text AS total FROM chain_transactions
      WHERE chain_id = $1 AND signer = $2 AND fee_paid IS NOT NULL AND updated_at > now() - interval '24 hours'`,
    [chainId, signer.toLowerCase()],
  );
  return BigInt(r.rows[0]?.total ?? "0");
}
