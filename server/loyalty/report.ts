import type { Queryable } from "../store/db";
import type { CoalitionReport, PartnerReport } from "../../client/relay/coalitionReport";

export type { CoalitionReport, PartnerReport };

export async function coalitionReport(db: Queryable, p: { from: number; to: number; unitValue: bigint }): Promise<CoalitionReport> {
  const { rows } = await db.query<{ brand: string; issued: string; reversed: string; redeemed: string }>(
    `SELECT brand,
            COALESCE(sum(amount) FILTER (WHERE kind = 'issued'), 0)::text AS issued,
            COALESCE(sum(amount) FILTER (WHERE kind = 'reversed'), 0)::text AS reversed,
            COALESCE(sum(amount) FILTER (WHERE kind = 'redeemed'), 0)::text AS redeemed
       FROM points_events
      WHERE brand IS NOT NULL AND kind IN ('issued', 'reversed', 'redeemed', 'brand_admitted') AND timestamp >= $1 AND timestamp < $2
      GROUP BY brand ORDER BY brand`,
    [p.from, p.to],
  );
  const expired = await db.query<{ n: string }>("SELECT COALESCE(sum(amount), 0)::text AS n FROM points_events WHERE kind = 'expired' AND timestamp >= $1 AND timestamp < $2", [p.from, p.to]);
  return {
    from: p.from,
    to: p.to,
    unitValue: p.unitValue.toString(),
    expired: expired.rows[0]!.n,
    partners: rows.map((r) => {
      const [issued, reversed, redeemed] = [BigInt(r.issued), BigInt(r.reversed), BigInt(r.redeemed)];
      return {
        brand: r.brand,
        issued: r.issued,
        reversed: r.reversed,
        redeemed: r.redeemed,
        valueCredited: (redeemed * p.unitValue).toString(),
        liabilityOutstanding: (issued - reversed - redeemed).toString(),
        netSettlement: ((redeemed - issued + reversed) * p.unitValue).toString(),
      };
    }),
  };
}
