/** The coalition report, `GET /v1/admin/report` (decimal strings: points, or settlement-asset units). */
/** One partner's line of the coalition report, for a period (points, and settlement-asset units). */
export interface PartnerReport {
  brand: string;
  /** Points the partner issued in the period. */
  issued: string;
  /** Points of its receipts reversed in the period. */
  reversed: string;
  /** Points redeemed at the partner in the period. */
  redeemed: string;
  /** Settlement units credited to the partner for those redemptions (redeemed x unitValue). */
  valueCredited: string;
  /** Points it issued net of reversals and of what was redeemed there: what it funded that is still to be spent, at the partner or elsewhere. */
  liabilityOutstanding: string;
  /** (redeemed - issued + reversed) x unitValue: positive, the partner took in more value than it funded in the period. */
  netSettlement: string;
}

export interface CoalitionReport {
  /** Unix seconds, inclusive. */
  from: number;
  /** Unix seconds, exclusive. */
  to: number;
  unitValue: string;
  partners: PartnerReport[];
  /** Points expired in the period (expiry is the coalition's, not a partner's: its backing went to the treasury). */
  expired: string;
}

/** The coalition report for governance, from the indexed CoalitionPoints events of [from, to). */
